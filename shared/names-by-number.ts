// Turns a generated number table ({ ReadOnly: 1, … }) into its names indexed by number.

/** The keys of `numbers`, each at the index of its number (gaps stay empty). */
export function namesByNumber<Name extends string>(numbers: Readonly<Record<Name, number>>): Name[] {
  const names: Name[] = [];
  for (const [name, number] of Object.entries(numbers) as [Name, number][]) names[number] = name;
  return names;
}
