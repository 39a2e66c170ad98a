// The network holder of a node: it keeps the node's network namespace, and so its addresses, alive while the
// node's own container is killed, stopped or restarted, as a host stays up when its CMS process crashes: a peer
// dialling a crashed node is refused at once instead of waiting on an address that no longer answers.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
