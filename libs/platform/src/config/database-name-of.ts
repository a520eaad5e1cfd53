/** The database a `postgres://…/<name>` URL names (for span names): `order_service`. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}
