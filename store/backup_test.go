package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/revwatch/revwatch/sources"
)

func TestBackupRestoreCompact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		db.Commit(ctx, listing, obs(&sources.Rating{Value: 4, Count: i}, rev(string(rune('a'+i%26))+string(rune('a'+i/26)), 3, "text")), nil)
	}
	backup := filepath.Join(dir, "backup.db")
	f, _ := os.Create(backup)
	if _, err := db.Backup(ctx, f); err != nil { // hot: the store stays open
		t.Fatal(err)
	}
	f.Close()
	var want bytes.Buffer
	db.Reviews(ctx, "", func(r StoredReview) error { want.WriteString(r.ID + ","); return nil })

	if _, err := Restore(path, backup); !errors.Is(err, ErrInUse) {
		t.Fatalf("restore over an open store: err = %v, want ErrInUse", err)
	}
	db.Commit(ctx, listing, obs(nil, rev("after-backup", 1, "x")), nil)
	db.Close()

	kept, err := Restore(path, backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("the replaced store must be kept: %v", err)
	}
	if _, _, err := Compact(path); err != nil {
		t.Fatal(err)
	}
	re, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	var got bytes.Buffer
	re.Reviews(ctx, "", func(r StoredReview) error { got.WriteString(r.ID + ","); return nil })
	if got.String() != want.String() {
		t.Fatalf("restored reviews differ:\n got %s\nwant %s", got.String(), want.String())
	}
	if _, err := Restore(path+".x", filepath.Join(dir, "nope.db")); err == nil {
		t.Fatal("restoring from a missing backup must fail")
	}
}
