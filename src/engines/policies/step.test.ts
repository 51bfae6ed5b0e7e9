import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import { aggregateDatapoints } from './step.ts';

const isValidation = (e: unknown) => e instanceof PhantomError && e.code === 'Validation';

describe('step scaling: aggregating the recent datapoints', () => {
  const values = [40, 70, 55];
  it('Average', () => assert.equal(aggregateDatapoints(values, 'Average'), 55));
  it('Minimum', () => assert.equal(aggregateDatapoints(values, 'Minimum'), 40));
  it('Maximum', () => assert.equal(aggregateDatapoints(values, 'Maximum'), 70));
  it('refuses none or a non-finite one', () => {
    assert.throws(() => aggregateDatapoints([], 'Average'), isValidation);
    assert.throws(() => aggregateDatapoints([1, NaN], 'Maximum'), isValidation);
  });
});
