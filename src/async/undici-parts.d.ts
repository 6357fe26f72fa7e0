// The four CommonJS modules of undici that undici.ts imports by path (undici types only its index).
// Typed unknown: undici.ts checks what it gets.
declare module "undici/lib/dispatcher/pool.js" {
  const value: unknown;
  export default value;
}
declare module "undici/lib/dispatcher/client.js" {
  const value: unknown;
  export default value;
}
declare module "undici/lib/dispatcher/dispatcher.js" {
  const value: unknown;
  export default value;
}
declare module "undici/lib/api/api-request.js" {
  const value: unknown;
  export default value;
}
