//go:build deploylint

package deploy

import (
	"debug/elf"
	"testing"
)

type elfFacts struct {
	machine string
	static  bool // no program interpreter and no shared libraries
}

func elfInfo(t *testing.T, path string) elfFacts {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	facts := elfFacts{static: true}
	switch f.Machine {
	case elf.EM_X86_64:
		facts.machine = "x86-64"
	case elf.EM_AARCH64:
		facts.machine = "aarch64"
	default:
		facts.machine = f.Machine.String()
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			facts.static = false
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		facts.static = false
	}
	return facts
}
