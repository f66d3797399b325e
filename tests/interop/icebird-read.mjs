// Reads an Iceberg table with icebird (an independent JavaScript reader) and
// prints its current schema and rows as JSON, for the .NET tests to compare.
// Usage: node icebird-read.mjs <table directory>
import { readFile } from 'node:fs/promises'
import { icebergRead, icebergMetadata } from 'icebird'

// icebird reads through the global fetch; serve local paths (with byte ranges) instead of HTTP.
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? input : input.url
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url
  let bytes
  try {
    bytes = await readFile(path)
  } catch {
    return new Response(null, { status: 404 })
  }
  const headers = new Headers(init.headers ?? {})
  const range = headers.get('range')
  if (init.method === 'HEAD') {
    return new Response(null, { status: 200, headers: { 'content-length': String(bytes.length) } })
  }
  if (range) {
    const [, start, end] = /bytes=(\d+)-(\d*)/.exec(range)
    const last = end === '' ? bytes.length - 1 : Math.min(Number(end), bytes.length - 1)
    const slice = bytes.subarray(Number(start), last + 1)
    return new Response(slice, { status: 206, headers: { 'content-length': String(slice.length) } })
  }
  return new Response(bytes, { status: 200, headers: { 'content-length': String(bytes.length) } })
}

const tableUrl = process.argv[2]
const metadata = await icebergMetadata({ tableUrl })
const rows = await icebergRead({ tableUrl, metadata })
const schema = metadata.schemas.find(s => s['schema-id'] === metadata['current-schema-id'])
const json = JSON.stringify({ schema, rows }, (_, value) =>
  typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.toISOString() : value)
process.stdout.write(json)
