/**
 * A driver's site configuration is unusable. The message names the field by path
 * (e.g. `sites.hotel.capacity`), so an operator can find it in the config file.
 */
export class DriverConfigError extends Error {
  constructor(
    /** The dotted path of the offending field. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'DriverConfigError';
  }
}
