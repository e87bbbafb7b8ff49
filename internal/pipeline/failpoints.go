package pipeline

import "github.com/sellmyimages/smid/internal/failpoint"

// failpointHit marks a step the fault suite may kill the process at
// (SMID_FAILPOINTS; a no-op when unset).
func failpointHit(name string) { failpoint.Hit(name) }
