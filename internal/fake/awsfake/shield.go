package awsfake

import "net/http"

// serveShield serves shield:GetSubscriptionState (JSON 1.1, us-east-1).
func (s *State) serveShield(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "GetSubscriptionState" {
		return false
	}
	if req.Region != "us-east-1" {
		writeError(w, req, http.StatusBadRequest, "InvalidOperationException", "Shield Advanced is served from us-east-1")
		return true
	}
	state := "INACTIVE"
	if s.Protection.ShieldAdvanced {
		state = "ACTIVE"
	}
	writeJSON(w, "application/x-amz-json-1.1", map[string]any{"SubscriptionState": state})
	return true
}
