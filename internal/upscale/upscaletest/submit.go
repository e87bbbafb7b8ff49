package upscaletest

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // formats the real service is likely to take
	_ "image/png"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	_ "golang.org/x/image/webp" // the fake reads WebP sizes too, like the real service
)

// maxOutputPixels is the output limit seen in a production client.
const maxOutputPixels = 50_000_000

type submitBody struct {
	Webhook string      `json:"webhook"`
	Input   submitInput `json:"input"`
}

type submitInput struct {
	ImageURL       string  `json:"imageUrl"`
	InputImageType string  `json:"inputImageType"`
	UpscaleFactor  float64 `json:"upscaleFactor"`
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	s.attempts++
	reply, scripted := pop(&s.submitScript)
	s.mu.Unlock()
	if scripted && !reply.Accept && s.play(w, r, reply) {
		return
	}
	if s.limited(w, &s.submitMinute, &s.submitHour) {
		return
	}
	var body submitBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	if msg := validate(body); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	inW, inH, err := s.opts.ImageSize(ctx, body.Input.ImageURL)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the image at imageUrl: "+err.Error())
		return
	}
	outW := int(math.Round(float64(inW) * body.Input.UpscaleFactor))
	outH := int(math.Round(float64(inH) * body.Input.UpscaleFactor))
	if int64(outW)*int64(outH) > maxOutputPixels {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Output image would exceed %d pixels", maxOutputPixels))
		return
	}
	credits := Credits(outW, outH)
	id := uuid.NewString()
	s.mu.Lock()
	s.jobs[id] = s.newJob(id, body.Input, body.Webhook, outW, outH, credits)
	s.submits++
	s.perURL[body.Input.ImageURL]++
	s.mu.Unlock()
	if scripted && reply.Accept {
		if reply.Status == 0 {
			select { // withheld: the client gives up
			case <-r.Context().Done():
			case <-s.stop:
			}
			return
		}
		reply.Accept = false
		s.play(w, r, reply)
		return
	}
	writeJSON(w, http.StatusOK, statusBody{ID: id, Status: "IN_QUEUE", CreditCost: credits})
}

// Credits is the price of a w×h output: 0.25 per megapixel, rounded up,
// at least 1.
func Credits(w, h int) int {
	px := int64(w) * int64(h)
	return int(max((px+3_999_999)/4_000_000, 1))
}

func validate(b submitBody) string {
	u, err := url.Parse(b.Input.ImageURL)
	switch {
	case b.Input.ImageURL == "":
		return "input.imageUrl is required"
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "input.imageUrl must be an http(s) URL"
	case b.Input.UpscaleFactor < 1 || b.Input.UpscaleFactor > 16:
		return "input.upscaleFactor must be between 1 and 16"
	}
	switch b.Input.InputImageType {
	case "realism", "anime", "universal":
	default:
		return "input.inputImageType must be realism, anime or universal"
	}
	if b.Webhook != "" {
		if u, err := url.Parse(b.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return "webhook must be an http(s) URL"
		}
	}
	return ""
}

// fetchImageSize is the default ImageSize: read just the image header.
func (s *Server) fetchImageSize(ctx context.Context, imageURL string) (int, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, imageURL, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	cfg, _, err := image.DecodeConfig(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	return cfg.Width, cfg.Height, nil
}

// FixedSize is an Options.ImageSize that reports every image as w×h
// without fetching anything.
func FixedSize(w, h int) func(context.Context, string) (int, int, error) {
	return func(context.Context, string) (int, int, error) { return w, h, nil }
}
