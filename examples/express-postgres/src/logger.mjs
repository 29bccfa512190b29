// The logger strata reports through: anything with info/warn/error(message, context) fits.
// This one prints the message only; pass `console` to see the context objects too.
export function prefixedLogger(prefix) {
  return {
    info: (message) => console.log(`${prefix} ${message}`),
    warn: (message) => console.warn(`${prefix} ${message}`),
    error: (message) => console.error(`${prefix} ${message}`),
  };
}
