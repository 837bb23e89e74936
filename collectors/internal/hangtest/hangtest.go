// Package hangtest is a test helper: a TCP listener that accepts
// connections and never answers, for checking that a collector's calls end
// with a timeout within their deadline instead of hanging.
package hangtest

import (
	"net"
	"sync"
	"testing"
)

// Addr starts a listener on 127.0.0.1 that accepts connections and never
// answers, and returns its host:port. The listener and every connection it
// accepted are closed when the test ends.
func Addr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
