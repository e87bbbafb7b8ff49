package config

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/spf13/viper"
)

const examplePath = "../../config.example.yaml"

func TestExampleLoads(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, examplePath, baseEnv())
	// The example shows the defaults, so loading it changes nothing.
	if d := mustLoad(t, "", baseEnv()); !reflect.DeepEqual(c, d) {
		t.Errorf("example.yaml differs from the defaults:\n%+v\n%+v", c, d)
	}
}

func TestExampleHasEveryKey(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	ex := viper.New()
	ex.SetConfigType("yaml")
	if err := ex.ReadConfig(bytes.NewReader(src)); err != nil {
		t.Fatal(err)
	}
	defs := viper.New()
	for _, f := range fields(&Config{}) {
		defs.SetDefault(f.key, f.def)
	}
	got, want := ex.AllKeys(), defs.AllKeys()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("example.yaml keys differ from the defaults\n got: %q\nwant: %q", got, want)
	}
}

// TestEveryFieldHasAKey walks Config and checks that each exported leaf
// field is the destination of exactly one key, so no setting exists that
// the file and environment cannot reach.
func TestEveryFieldHasAKey(t *testing.T) {
	t.Parallel()
	c := &Config{}
	fs := fields(c)
	// Parse each key's default, then change one field at a time and see
	// which key's shown value moves.
	for _, f := range fs {
		if err := f.parse(f.def); err != nil && f.key != "api.secret" {
			t.Fatalf("%s: default does not parse: %v", f.key, err)
		}
	}
	root := reflect.ValueOf(c).Elem()
	for i := range root.NumField() {
		sec := root.Field(i)
		if sec.Kind() != reflect.Struct {
			continue // Renamed: what Load noticed, not a setting
		}
		for j := range sec.NumField() {
			name := root.Type().Field(i).Name + "." + sec.Type().Field(j).Name
			fv := sec.Field(j)
			if !sec.Type().Field(j).IsExported() {
				continue
			}
			before := shows(fs)
			old := reflect.ValueOf(fv.Interface())
			poke(t, name, fv)
			after := shows(fs)
			fv.Set(old)
			var moved []string
			for k, v := range after {
				if v != before[k] {
					moved = append(moved, k)
				}
			}
			if len(moved) != 1 {
				t.Errorf("field %s is shown by keys %q, want exactly one", name, moved)
			}
		}
	}
}

func shows(fs []field) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		m[f.key] = f.show().String()
	}
	return m
}

// poke changes v to a different value of its type.
func poke(t *testing.T, name string, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 7)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.ValueOf("poked.example.com")))
	default:
		t.Fatalf("%s: unhandled kind %s", name, v.Kind())
	}
}

// TestReadmeDocumentsEveryKey keeps the README's configuration table true.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields(&Config{}) {
		if !bytes.Contains(readme, []byte("| `"+f.key+"` |")) {
			t.Errorf("README.md does not document %s", f.key)
		}
	}
}
