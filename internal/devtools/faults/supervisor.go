package faults

import (
	"math/rand/v2"
	"os"
	"regexp"
	"sync"
	"time"
)

// Full reports whether the suite runs in `make faults` mode.
func Full() bool { return os.Getenv("SMI_FAULTS_FULL") == "1" }

// supervisor keeps a replica running the way systemd would: whenever it
// dies it is started again, with a failpoint armed while the current
// step still wants kills.
type supervisor struct {
	r     *Replica
	rng   *rand.Rand
	mu    sync.Mutex
	step  string
	want  int
	got   map[string]int // kills that landed at each step's failpoint
	armed string         // the step the running replica was started for
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func supervise(r *Replica, seed uint64) *supervisor {
	sv := &supervisor{r: r, rng: rand.New(rand.NewPCG(seed, 7)), got: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go sv.loop()
	return sv
}

// Arm makes the following runs die at step's failpoint until want kills
// landed there; "" disarms. It returns once the replica running (or about
// to start) is armed for step: the supervisor stops a replica started for
// another step gracefully and starts it again armed. The supervisor makes
// that switch itself, because a replica it is starting cannot be stopped
// from outside yet: a Stop from here while the supervisor was between
// choosing "unarmed" and starting left an unarmed replica running, and no
// kill landed (CI, "after_claim: 0 kills landed").
func (sv *supervisor) Arm(step string, want int) {
	sv.mu.Lock()
	sv.step, sv.want = step, want
	sv.mu.Unlock()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		sv.mu.Lock()
		ready := sv.armed == sv.wanted()
		sv.mu.Unlock()
		if ready {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wanted is the step the next run should be armed for; sv.mu is held.
func (sv *supervisor) wanted() string {
	if sv.step != "" && sv.got[sv.step] < sv.want {
		return sv.step
	}
	return ""
}

// Kills is how many kills landed at step.
func (sv *supervisor) Kills(step string) int {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.got[step]
}

// WaitKills waits until want kills landed at step, or within passed.
func (sv *supervisor) WaitKills(step string, want int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for sv.Kills(step) < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	return sv.Kills(step)
}

// Stop ends supervision; the replica keeps running.
func (sv *supervisor) Stop() {
	sv.once.Do(func() { close(sv.stop) })
	<-sv.done
}

var killLineRE = regexp.MustCompile(`failpoint (\w+): kill -9`)

func (sv *supervisor) loop() {
	defer close(sv.done)
	for {
		select {
		case <-sv.stop:
			return
		default:
		}
		if sv.r.Running() {
			sv.mu.Lock()
			stale := sv.armed != sv.wanted() && sv.step != sv.armed
			sv.mu.Unlock()
			if stale {
				sv.r.Stop() // started for another step: start again, armed for this one
			} else if !sv.r.WaitDeath(20 * time.Millisecond) {
				continue
			}
			sv.credit()
			continue
		}
		sv.mu.Lock()
		arm := ""
		sv.armed = sv.wanted()
		if sv.armed != "" {
			// The 1st or 2nd hit: not always the first job in line.
			arm = sv.armed + "=" + itoa(1+sv.rng.IntN(2))
		}
		sv.mu.Unlock()
		if !sv.r.Start(arm, int64(sv.rng.Uint64()>>1)) {
			sv.credit()
		}
	}
}

// credit books the kill the replica's log names.
func (sv *supervisor) credit() {
	m := killLineRE.FindAllStringSubmatch(sv.r.RunLog(), -1)
	if len(m) == 0 {
		return
	}
	sv.mu.Lock()
	sv.got[m[len(m)-1][1]]++
	sv.mu.Unlock()
}
