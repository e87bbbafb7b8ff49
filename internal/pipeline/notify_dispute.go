package pipeline

import "context"

// notifyDispute tells the shop owner about a new dispute, when owner
// notifications are wired (they land with the shop's mail settings).
func (s *Service) notifyDispute(ctx context.Context, jobID, reason string) {}
