package awsfake

import (
	"net/http"
	"slices"
	"strings"
)

const json11 = "application/x-amz-json-1.1"

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func (s *State) serveKMS(w http.ResponseWriter, req *Request) bool {
	keys := inRegion(s.Keys, req.Region, func(k Key) string { return k.Region })
	find := func() *Key {
		id := str(req.JSON, "KeyId")
		for i := range keys {
			if keys[i].ID == id || s.keyARN(keys[i]) == id {
				return &keys[i]
			}
		}
		return nil
	}
	switch req.Operation {
	case "ListKeys":
		items, next := page(keys, str(req.JSON, "Marker"), s.PageSize)
		list := []map[string]any{}
		for _, k := range items {
			list = append(list, map[string]any{"KeyId": k.ID, "KeyArn": s.keyARN(k)})
		}
		out := map[string]any{"Keys": list, "Truncated": next != ""}
		if next != "" {
			out["NextMarker"] = next
		}
		writeJSON(w, json11, out)
	case "DescribeKey":
		k := find()
		if k == nil {
			writeError(w, req, http.StatusBadRequest, "NotFoundException", "key not found")
			return true
		}
		writeJSON(w, json11, map[string]any{"KeyMetadata": map[string]any{
			"AWSAccountId": s.AccountID, "KeyId": k.ID, "Arn": s.keyARN(*k), "KeyManager": k.Manager,
			"KeyState": k.State, "Enabled": k.State == "Enabled", "KeySpec": k.Spec, "KeyUsage": "ENCRYPT_DECRYPT",
			"CreationDate": float64(k.Created.Unix()), "Origin": "AWS_KMS", "MultiRegion": false,
		}})
	case "GetKeyRotationStatus":
		k := find()
		if k == nil {
			writeError(w, req, http.StatusBadRequest, "NotFoundException", "key not found")
			return true
		}
		if k.Spec != "SYMMETRIC_DEFAULT" {
			writeError(w, req, http.StatusBadRequest, "UnsupportedOperationException", "rotation is not supported for this key")
			return true
		}
		out := map[string]any{"KeyId": s.keyARN(*k), "KeyRotationEnabled": k.Rotation}
		if k.Rotation {
			out["RotationPeriodInDays"] = 365
		}
		writeJSON(w, json11, out)
	default:
		return false
	}
	return true
}

func (s *State) keyARN(k Key) string {
	return "arn:aws:kms:" + k.Region + ":" + s.AccountID + ":key/" + k.ID
}

func (s *State) serveCloudTrail(w http.ResponseWriter, req *Request) bool {
	switch req.Operation {
	case "DescribeTrails":
		list := []map[string]any{}
		shadow, _ := req.JSON["includeShadowTrails"].(bool)
		if _, set := req.JSON["includeShadowTrails"]; !set {
			shadow = true
		}
		type listed struct {
			t   Trail
			arn string
		}
		var trails []listed
		for _, t := range s.Trails {
			trails = append(trails, listed{t, s.trailARN(t)})
		}
		// A member account sees the organisation trails of the
		// management account as shadow trails.
		if m := req.management; m != nil && shadow {
			for _, t := range m.Trails {
				if t.Organization {
					trails = append(trails, listed{t, m.trailARN(t)})
				}
			}
		}
		for _, lt := range trails {
			t := lt.t
			if t.HomeRegion != req.Region && !(shadow && t.MultiRegion) {
				continue
			}
			m := map[string]any{
				"Name": t.Name, "TrailARN": lt.arn, "HomeRegion": t.HomeRegion,
				"IsMultiRegionTrail": t.MultiRegion, "LogFileValidationEnabled": t.LogValidation,
				"IsOrganizationTrail": t.Organization, "S3BucketName": t.S3Bucket,
				"IncludeGlobalServiceEvents": true, "HasCustomEventSelectors": false,
			}
			if t.KMSKeyID != "" {
				m["KmsKeyId"] = t.KMSKeyID
			}
			list = append(list, m)
		}
		writeJSON(w, json11, map[string]any{"trailList": list})
	case "GetTrailStatus":
		name := str(req.JSON, "Name")
		for _, t := range s.Trails {
			if t.Name == name || s.trailARN(t) == name {
				writeJSON(w, json11, map[string]any{"IsLogging": t.Logging})
				return true
			}
		}
		writeError(w, req, http.StatusBadRequest, "TrailNotFoundException", "trail not found")
	default:
		return false
	}
	return true
}

func (s *State) trailARN(t Trail) string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":" + s.AccountID + ":trail/" + t.Name
}

func (s *State) serveOrganizations(w http.ResponseWriter, req *Request) bool {
	if req.Operation != "ListAccounts" {
		return s.serveOrgParents(w, req)
	}
	if len(s.Members) == 0 {
		writeError(w, req, http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
		return true
	}
	ids := []string{s.AccountID}
	for id := range s.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	items, next := page(ids, str(req.JSON, "NextToken"), s.PageSize)
	list := []map[string]any{}
	for _, id := range items {
		list = append(list, map[string]any{"Id": id, "Arn": "arn:aws:organizations::" + s.AccountID + ":account/o-fake/" + id,
			"Name": "account-" + id, "Email": "aws+" + id + "@example.com", "Status": "ACTIVE", "State": "ACTIVE"})
	}
	out := map[string]any{"Accounts": list}
	if next != "" {
		out["NextToken"] = next
	}
	writeJSON(w, json11, out)
	return true
}

// guardDutyOperation names a GuardDuty REST request.
func guardDutyOperation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "detector":
		return "ListDetectors"
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "detector":
		return "GetDetector"
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "detector":
		return "CreateDetector"
	case r.Method == http.MethodPost:
		return "UpdateDetector"
	case r.Method == http.MethodDelete:
		return "DeleteDetector"
	}
	return "Unknown" + r.Method
}

func (s *State) serveGuardDuty(w http.ResponseWriter, req *Request) bool {
	ds := inRegion(s.Detectors, req.Region, func(d Detector) string { return d.Region })
	switch req.Operation {
	case "ListDetectors":
		items, next := page(ds, req.HTTP.URL.Query().Get("nextToken"), s.PageSize)
		ids := []string{}
		for _, d := range items {
			ids = append(ids, d.ID)
		}
		out := map[string]any{"detectorIds": ids}
		if next != "" {
			out["nextToken"] = next
		}
		writeJSON(w, "application/json", out)
	case "GetDetector":
		id := req.HTTP.URL.Path[strings.LastIndex(req.HTTP.URL.Path, "/")+1:]
		for _, d := range ds {
			if d.ID == id {
				status := "DISABLED"
				if d.Enabled {
					status = "ENABLED"
				}
				writeJSON(w, "application/json", map[string]any{"status": status, "serviceRole": "arn:aws:iam::" + s.AccountID + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
					"findingPublishingFrequency": "SIX_HOURS", "createdAt": "2026-01-05T10:00:00.000Z", "updatedAt": "2026-01-05T10:00:00.000Z"})
				return true
			}
		}
		writeError(w, req, http.StatusBadRequest, "BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.")
	default:
		return false
	}
	return true
}
