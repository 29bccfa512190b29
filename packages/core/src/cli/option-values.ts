/** A command's options as parseArgs returns them, keyed by long name: a string, a flag, or absent. */
export type OptionValues = Record<string, string | boolean | undefined>;
