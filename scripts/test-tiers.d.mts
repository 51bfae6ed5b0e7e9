/** The tiers `scripts/run-tests.mjs --tier` accepts. */
export declare const TIERS: readonly string[];
/** Path prefixes (relative to the repository, `/`-separated) of the e2e tier. */
export declare const E2E: readonly string[];
/** Every *.test.ts under `roots`, sorted, `/`-separated. */
export declare function testFiles(roots: readonly string[]): string[];
/**
 * The files of `tier` among `files`.
 * @throws Error for an unknown tier.
 */
export declare function inTier(tier: string, files: readonly string[]): string[];
