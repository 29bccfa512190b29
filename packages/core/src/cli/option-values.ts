/** A command's options as parseArgs returns them, keyed by long name: a string, a flag, the strings of a repeated option, or absent. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;
