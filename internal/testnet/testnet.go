// Package testnet holds network helpers the tests of several packages
// share: the collectors' runner, the AWS source, the engine and the CLI.
package testnet

import (
	"net"
	"sync"
	"testing"
)

// Hanging listens on a loopback port, accepts every connection and never
// answers: an endpoint that hangs. It returns the address (host:port) and
// closes the listener and every connection at the end of the test.
func Hanging(t testing.TB) string {
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
