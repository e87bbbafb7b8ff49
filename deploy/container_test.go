package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// No container engine runs on the machines this is tested on, so the
// Dockerfile and compose.yaml are checked for what an engine would trip
// on, and for the promises they make: non-root, small base, the Go that
// go.mod names, every copied path present.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	gomod, _ := os.ReadFile("../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(gomod))[1]
	if !strings.Contains(df, "ARG GO_VERSION="+goVersion+"\n") {
		t.Errorf("Dockerfile's GO_VERSION is not go.mod's %s", goVersion)
	}
	var froms []string
	lastUser := ""
	for _, line := range strings.Split(df, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "FROM":
			froms = append(froms, strings.Join(f[1:], " "))
		case "USER":
			lastUser = f[1]
		case "COPY":
			if !strings.HasPrefix(f[1], "--from=") {
				for _, src := range f[1 : len(f)-1] {
					if _, err := os.Stat("../" + src); err != nil {
						t.Errorf("COPY %s: not in the repository", src)
					}
				}
			}
		case "ARG", "WORKDIR", "RUN", "ENV", "VOLUME", "EXPOSE", "ENTRYPOINT", "CMD", "&&":
		default:
			if !strings.HasSuffix(strings.TrimSpace(line), "\\") && !strings.HasPrefix(strings.TrimSpace(line), "&&") {
				t.Errorf("unknown instruction: %q", line)
			}
		}
	}
	if len(froms) != 2 || !strings.HasSuffix(froms[0], " AS build") || froms[1] != "scratch" {
		t.Errorf("stages %q; want a build stage and a scratch run stage", froms)
	}
	if lastUser == "" || strings.HasPrefix(lastUser, "0") || strings.HasPrefix(lastUser, "root") {
		t.Errorf("the image runs as %q; want a non-root uid", lastUser)
	}
	if !strings.Contains(df, "CGO_ENABLED=0 go build") {
		t.Error("the binary must be static to run on scratch")
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Hostname    string            `yaml:"hostname"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]any    `yaml:"depends_on"`
		ReadOnly    bool              `yaml:"read_only"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(false)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, s := range []string{"db", "wordpress", "migrate", "smid", "mailpit"} {
		if _, ok := c.Services[s]; !ok {
			t.Errorf("no %s service", s)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: no image and no build", name)
		}
		for dep := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("%s depends on unknown %s", name, dep)
			}
		}
		for _, v := range s.Volumes {
			src := strings.Split(v, ":")[0]
			if strings.HasPrefix(src, "./") {
				if _, err := os.Stat("../" + src); err != nil {
					t.Errorf("%s mounts %s: not in the repository", name, src)
				}
			} else if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s mounts undeclared volume %s", name, src)
			}
		}
	}
	smid := c.Services["smid"]
	// smid accepts only requests addressed to its listen address: the
	// name WordPress calls it by must be the one it listens on.
	if listen := smid.Environment["SMI_API_LISTEN"]; listen != smid.Hostname+":8787" {
		t.Errorf("smid listens on %q but is called %q", listen, smid.Hostname)
	}
	if wp := c.Services["wordpress"].Environment["WORDPRESS_CONFIG_EXTRA"]; !strings.Contains(wp, "'http://"+smid.Hostname+":8787'") {
		t.Errorf("WordPress does not address smid as %s:8787:\n%s", smid.Hostname, wp)
	}
	if !smid.ReadOnly || smid.Environment["SMI_STORAGE_DIR"] != "/var/lib/smid/files" {
		t.Errorf("smid: read_only %v, storage %q", smid.ReadOnly, smid.Environment["SMI_STORAGE_DIR"])
	}
}
