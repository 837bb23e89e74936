package testnet

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestHangingNeverAnswers checks that a connection to Hanging is accepted
// and that nothing is ever read from it.
func TestHangingNeverAnswers(t *testing.T) {
	t.Parallel()
	c, err := net.DialTimeout("tcp", Hanging(t), time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	n, err := c.Read(buf)
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read %d bytes, err %v: want a timeout with nothing read", n, err)
	}
}
