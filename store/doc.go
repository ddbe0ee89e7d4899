// Package store keeps everything revwatch knows in one bbolt file: listings,
// every review ever seen, rating history, reply drafts, the alert outbox and
// each listing's source state.
//
// # Where it sits
//
// The watcher fetches an Observation and hands it to Commit together with a
// pure Decide function (the rules). Commit diffs the observation against
// what is stored, asks Decide for alerts, and writes reviews, the rating
// snapshot, the source state, the drafts and the outbox rows in ONE
// transaction: a crash loses no alert and a re-poll never repeats one
// (outbox rows carry a unique key). The notify package drains the outbox
// through Due/Delivered/Retry/Fail; the CLI reads with Reviews, Ratings and
// Drafts. No network I/O ever happens inside a transaction.
//
// A backfill commits with CommitPages: consecutive pages, each diffed and
// decided as Commit would, plus the resume cursor of the last page, in one
// transaction (CommitPage is a batch of one). The cursor therefore never
// passes a page that is not stored: an interrupted backfill resumes at or
// before the first page it lost, and pages read twice are deduplicated.
//
// # Bucket layout (schema version 2)
//
//	meta          "schema" -> "2"
//	listings      <listing id> -> ListingInfo (JSON)
//	state         <listing id> -> State (JSON): last success, failure streak, last rating
//	reviews/      one sub-bucket per listing id:
//	  <listing>     be64(published unix ns, or first seen) + review id -> StoredReview (JSON)
//	review_ids/   one sub-bucket per listing id:
//	  <listing>     review id -> the 8-byte time prefix of its key in reviews/<listing>
//	                (the key is prefix + id; older stores hold the whole key, also read)
//	review_versions/ one sub-bucket per listing id: earlier versions of edited reviews
//	  <listing>     review id + 0x00 + be64(version number) -> StoredReview (JSON)
//	ratings/      one sub-bucket per listing id:
//	  <listing>     be64(unix ns) -> Snapshot (JSON); written on change, at least daily
//	drafts        be64(sequence) -> Draft (JSON): pending/approved/rejected/posted, who, when
//	outbox        be64(sequence) -> Alert (JSON) with its Delivery state and Slack receipt
//	outbox_keys   alert key -> be64(sequence): the dedup index
//	outbox_pending be64(sequence) -> empty: alerts not yet delivered (Due scans only these)
//	insight_marks  rule key ("trend:<business>:<topic>") -> Mark (JSON): what an
//	               insight rule last said, written with its alert (created on first use)
//	digests       <business id> -> DigestRecord (JSON): the last weekly digest sent (created on first use)
//
// A review is never deleted: an edit keeps the earlier version, a review a
// complete source stops showing gets Removed set, and text a platform's
// terms forbid keeping is blanked by PurgeText (TextPurged).
//
// Keys are big-endian so a cursor scans a listing's reviews and ratings in
// time order. Values are JSON: readable with `bbolt` tools and tolerant of
// added fields.
//
// # Concurrency
//
// bbolt allows one process per file. Open waits Options.LockTimeout (2 s by
// default) for another process's lock and then fails with ErrInUse, so
// `revwatch reviews` beside a running daemon says so instead of hanging.
//
// # Schema changes
//
// Bump SchemaVersion and add a step to migrations (migrate.go): Open runs
// every step from the file's version up, with the version bump, in one
// write transaction, so a crash leaves the old version to migrate again.
// Early version 1 files lack outbox_pending and review_versions, which
// came later without a bump: v1 to v2 creates them and rebuilds the
// pending index from the outbox. store/testdata
// keeps a file of the first v1 layout that the tests open. A file from a
// newer binary is refused (ErrNewerSchema), a file without a schema but
// with other buckets is not a revwatch store and is refused too, and a
// read-only open of an older file fails with ErrOlderSchema (a write
// command migrates it; restore accepts it).
package store
