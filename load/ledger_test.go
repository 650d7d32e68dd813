package load

import (
	"context"
	"database/sql"
	"maps"
	"testing"
	"time"
)

// TestLedger: for each content, the paths it was seen under and its best
// status: loaded when any path loaded it (or was its duplicate), else failed;
// files that could not be hashed are not in it.
func TestLedger(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	files := []FileRecord{
		{Path: "a.xlsx", SHA256: "A", Status: StatusLoaded, RowsLoaded: 10},
		{Path: "copy/a.xlsx", SHA256: "A", Status: StatusDuplicate},
		{Path: "b.csv", SHA256: "B", Status: StatusFailed, Message: "hỏng / corrupt"},
		{Path: "c-old.csv", SHA256: "C", Status: StatusFailed},
		{Path: "c.csv", SHA256: "C", Status: StatusLoaded}, // failed once, loaded later
		{Path: "d.csv", SHA256: "D", Status: StatusDuplicate},
		{Path: "gone.csv", Status: StatusFailed, Message: "không đọc được / unreadable"}, // never hashed
	}
	if err := Tx(ctx, w.DB, func(conn *sql.Conn) error {
		for _, f := range files {
			f.Size, f.LoadedAt, f.RunID = 1, at, "run-1"
			if err := InsertFile(ctx, conn, f); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := Ledger(ctx, w.DB)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Seen{
		"A": {StatusLoaded, map[string]bool{"a.xlsx": true, "copy/a.xlsx": true}, "a.xlsx"},
		"B": {StatusFailed, map[string]bool{"b.csv": true}, ""},
		"C": {StatusLoaded, map[string]bool{"c-old.csv": true, "c.csv": true}, "c.csv"},
		"D": {StatusLoaded, map[string]bool{"d.csv": true}, ""},
	}
	if len(got) != len(want) {
		t.Errorf("ledger has %d contents, want %d: %v", len(got), len(want), got)
	}
	for sha, w := range want {
		g, ok := got[sha]
		if !ok || g.Status != w.Status || !maps.Equal(g.Paths, w.Paths) || g.Loaded != w.Loaded {
			t.Errorf("%s: %+v, want %+v", sha, g, w)
		}
	}
}

// TestUnread: the last reason recorded for each path whose content was
// never read.
func TestUnread(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	files := []FileRecord{
		{Path: "link.csv", Status: StatusFailed, Message: "a link", LoadedAt: at},
		{Path: "link.csv", Status: StatusFailed, Message: "a pipe", LoadedAt: at.Add(2 * time.Hour)},
		{Path: "link.csv", Status: StatusFailed, Message: "another link", LoadedAt: at.Add(time.Hour)},
		{Path: "locked.csv", Status: StatusFailed, Message: "permission denied", LoadedAt: at},
		{Path: "b.csv", SHA256: "B", Status: StatusFailed, Message: "corrupt", LoadedAt: at},
	}
	if err := Tx(ctx, w.DB, func(conn *sql.Conn) error {
		for _, f := range files {
			if err := InsertFile(ctx, conn, f); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := Unread(ctx, w.DB)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"link.csv": "a pipe", "locked.csv": "permission denied"}; !maps.Equal(got, want) {
		t.Errorf("Unread = %v, want %v", got, want)
	}
}

// TestLedgerEmpty: a new warehouse has seen nothing.
func TestLedgerEmpty(t *testing.T) {
	got, err := Ledger(context.Background(), openTestWork(t).DB)
	if err != nil || len(got) != 0 {
		t.Errorf("Ledger = %v, %v; want empty", got, err)
	}
}
