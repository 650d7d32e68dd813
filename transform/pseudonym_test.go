package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
)

// TestPseudonymizerKey: the pseudonym is the HMAC-SHA256 of the normalised
// ID, the same from every goroutine (the HMAC states are pooled and reused).
func TestPseudonymizerKey(t *testing.T) {
	p := NewPseudonymizer([]byte("khoa bí mật"))
	want := func(id string) string {
		m := hmac.New(sha256.New, []byte("khoa bí mật"))
		m.Write([]byte(id))
		return hex.EncodeToString(m.Sum(nil))
	}
	if got := p.Key(" 001-089 012345 "); got != want("001089012345") {
		t.Errorf("Key = %s, want %s", got, want("001089012345"))
	}
	if got := p.Key("b1234567"); got != want("B1234567") {
		t.Errorf("Key(b1234567) = %s, want the key of B1234567", got)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				id := fmt.Sprintf("%012d", g*100000+i)
				if got := p.Key(id); got != want(id) {
					t.Errorf("goroutine %d: Key(%s) = %s", g, id, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
