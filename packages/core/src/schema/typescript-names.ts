/**
 * Names for the declarations `strata types` writes. Table, view and enum names become PascalCase
 * type names; two that meet (`user_roles` and `userRoles`), or one that would shadow a global the
 * file or an override refers to (a table named `date`), get a suffix, in the model's sorted order
 * so the same schema always gets the same names.
 */
const RESERVED = new Set([
  'Array',
  'BigInt',
  'Boolean',
  'Buffer',
  'Date',
  'Error',
  'Function',
  'JSON',
  'Map',
  'Number',
  'Object',
  'Omit',
  'Partial',
  'Pick',
  'Promise',
  'Readonly',
  'Record',
  'Required',
  'Set',
  'String',
  'Symbol',
  'DB',
]);

export class TypeNames {
  readonly #taken = new Set<string>(RESERVED);

  constructor(helperNames: Iterable<string>) {
    for (const name of helperNames) this.#taken.add(name);
  }

  /** A fresh name from `base` (already PascalCase), with `suffix` appended when the bare one is reserved. */
  allocate(base: string, suffix: string): string {
    let name = RESERVED.has(base) ? `${base}${suffix}` : base;
    for (let n = 2; this.#taken.has(name); n++) name = `${RESERVED.has(base) ? `${base}${suffix}` : base}${n}`;
    this.#taken.add(name);
    return name;
  }
}

/** `user_roles` → `UserRoles`, `userRoles` → `UserRoles`; a name that cannot start an identifier gets a `T`. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return joined === '' || /^[0-9]/.test(joined) ? `T${joined}` : joined;
}

/** A property key: bare when it is an identifier, quoted otherwise (`'order id'`). */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

/** A TypeScript string literal; JSON's escaping covers every control character. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** A comment's text made safe inside `/** ... *\/`. */
export function docText(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\r?\n/g, ' ');
}
