package store

// SetCountLimit lowers how far Count counts exactly, so a small table can
// show an estimate.
func (s *DB) SetCountLimit(n int) { s.countLimit = n }
