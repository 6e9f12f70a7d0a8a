// Every hapair error is a class with a stable `code` (STYLE.md "Errors").

export class HapairError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Configuration rejected; `diagnostics` holds every error, formatted `file:line: ...`. */
export class ConfigError extends HapairError {
  readonly lines: readonly string[];
  constructor(lines: readonly string[]) {
    super('HAPAIR_E_CONFIG', lines.join('\n'));
    this.lines = lines;
  }
}

/** A listener could not be opened (address in use, bad fd, permissions). */
export class BindError extends HapairError {
  constructor(message: string, options?: ErrorOptions) {
    super('HAPAIR_E_BIND', message, options);
  }
}

/** A command-line usage error (exit 1 with usage). */
export class UsageError extends HapairError {
  constructor(message: string) {
    super('HAPAIR_E_USAGE', message);
  }
}
