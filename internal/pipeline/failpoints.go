package pipeline

// failpointHit marks a step the fault suite may kill the process at; the
// failpoint package replaces this when it lands.
func failpointHit(string) {}
