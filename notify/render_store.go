package notify

import "github.com/revwatch/revwatch/store"

// renderStore renders the store alarm: the store file could not be written
// (Failure.Cause says why, e.g. "no space left on device"), or can again.
// Listing.Name carries the store's path.
func renderStore(a store.Alert) message {
	path := cleanLine(a.Listing.Name)
	if a.Kind == store.KindStoreWritable {
		return message{Icon: iconInfo, Title: "Store writable again",
			Sections: []section{{Text: "The store " + path + " takes writes again: polls and alerts are recorded as before."}}}
	}
	cause := "unknown error"
	if a.Failure != nil && a.Failure.Cause != "" {
		cause = cleanLine(a.Failure.Cause)
	}
	text := "store not writable: " + cause + ". revwatch keeps polling and retries each poll on its schedule; nothing is recorded (and no alert queued) until the store " +
		path + " takes writes again. Free disk space or fix the file's permissions or mount."
	return message{Icon: iconBroken, Title: "Store not writable: " + cause, Sections: []section{{Text: text}}}
}
