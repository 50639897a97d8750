/** How the two engines say "that key is taken": what claims and once-only inserts are built on. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    /UNIQUE constraint failed/.test(e?.message ?? "") ||
    // SQLite's audit trigger refuses an insert that would replace an entry before the unique index is checked.
    /an existing entry cannot be replaced/.test(e?.message ?? "")
  );
}
