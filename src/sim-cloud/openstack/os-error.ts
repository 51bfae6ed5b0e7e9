/** An OpenStack API error as the services send it. */
export class OsError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /**
     * The body's top-level key: Nova uses the fault name (`badRequest`, `itemNotFound`,
     * `forbidden`, `overLimit`, `computeFault`, …), Keystone `error`.
     */
    readonly key: string,
    message: string,
    /** Keystone's `title`. Optional. */
    readonly title?: string,
  ) {
    super(message);
    this.name = 'OsError';
  }

  /** The JSON body: `{"<key>": {"message", "code"[, "title"]}}`. */
  body(): unknown {
    return {
      [this.key]: {
        message: this.message,
        code: this.status,
        ...(this.title !== undefined ? { title: this.title } : {}),
      },
    };
  }
}

/** Nova's 400. */
export const badRequest = (message: string): OsError => new OsError(400, 'badRequest', message);
/** Nova's 404. */
export const itemNotFound = (message: string): OsError => new OsError(404, 'itemNotFound', message);
