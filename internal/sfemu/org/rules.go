package org

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// rules are what Salesforce does on its own when a record of an object is
// saved: values derived from other fields or records, and checks beyond
// the field types. before runs after the caller's values are validated and
// before the record is stored; after runs once it is stored.
type rules struct {
	before func(s *save) error
	after  func(s *save) error
}

func rulesFor(object string) rules {
	switch object {
	case "Opportunity":
		return rules{before: opportunityBefore}
	case "Case":
		return rules{before: caseBefore}
	case "Lead":
		return rules{before: leadBefore}
	case "Task":
		return rules{before: taskBefore, after: activityRelations("TaskRelation", "TaskId")}
	case "Event":
		return rules{before: eventBefore, after: activityRelations("EventRelation", "EventId")}
	case "TaskRelation", "EventRelation":
		return rules{before: relationBefore}
	case "CampaignMember":
		return rules{before: campaignMemberBefore}
	case "Order":
		return rules{before: orderBefore}
	case "ContentVersion":
		return rules{before: contentVersionBefore, after: contentVersionAfter}
	case "User":
		return rules{before: userBefore}
	}
	return rules{}
}

// clockNow is the time the save happens, on the org's clock.
func (s *save) clockNow() time.Time { return s.o.clock.Now() }

// related returns the live record a reference field of the save points to.
func (s *save) related(field string) *Record {
	id, _ := s.get(field).(string)
	if id == "" {
		return nil
	}
	r := s.o.recs[recordNumber(id)]
	if r == nil || r.deleted != 0 {
		return nil
	}
	return r
}

// valueOf returns field name of record r (nil when r or the field is missing).
func (o *Org) valueOf(r *Record, name string) any {
	if r == nil {
		return nil
	}
	obj := o.Registry().Object(r.sys.obj)
	f := obj.Field(name)
	if f == nil {
		return nil
	}
	return obj.Value(r, f)
}

// stage is the default behavior of an opportunity stage (the
// OpportunityStage records of a new org).
type stage struct {
	probability float64
	forecast    string
	closed, won bool
}

var stages = map[string]stage{
	"Prospecting":          {10, "Pipeline", false, false},
	"Qualification":        {10, "Pipeline", false, false},
	"Needs Analysis":       {20, "Pipeline", false, false},
	"Value Proposition":    {50, "Pipeline", false, false},
	"Id. Decision Makers":  {60, "Pipeline", false, false},
	"Perception Analysis":  {70, "Pipeline", false, false},
	"Proposal/Price Quote": {75, "Pipeline", false, false},
	"Negotiation/Review":   {90, "Pipeline", false, false},
	"Closed Won":           {100, "Closed", true, true},
	"Closed Lost":          {0, "Omitted", true, false},
}

// forecastCategories maps ForecastCategoryName to ForecastCategory.
var forecastCategories = map[string]string{
	"Omitted": "Omitted", "Pipeline": "Pipeline", "Best Case": "BestCase", "Commit": "Forecast", "Closed": "Closed",
}

func opportunityBefore(s *save) error {
	if s.create || s.changed("StageName") {
		st, ok := stages[s.str("StageName")]
		if !ok {
			st = stage{forecast: "Pipeline"}
		}
		if !s.given("Probability") || s.get("Probability") == nil {
			s.put("Probability", st.probability)
		}
		if !s.given("ForecastCategoryName") {
			s.put("ForecastCategoryName", st.forecast)
		}
		s.put("IsClosed", st.closed)
		s.put("IsWon", st.won)
		if !s.create {
			s.put("LastStageChangeDate", s.clockNow())
		}
	}
	s.put("ForecastCategory", forecastCategories[s.str("ForecastCategoryName")])
	if close, ok := s.get("CloseDate").(time.Time); ok && (s.create || s.changed("CloseDate")) {
		year, quarter := fiscalPeriod(close, s.o.settings.FiscalYearStartMonth)
		s.put("FiscalYear", int64(year))
		s.put("FiscalQuarter", int64(quarter))
		s.put("Fiscal", fmt.Sprintf("%d %d", year, quarter))
	}
	return nil
}

// fiscalPeriod returns the fiscal year (named by the year it ends in) and
// quarter of date d when the fiscal year starts in month start.
func fiscalPeriod(d time.Time, start time.Month) (year, quarter int) {
	offset := (int(d.Month()) - int(start) + 12) % 12
	year = d.Year()
	if start != time.January && d.Month() >= start {
		year++
	}
	return year, offset/3 + 1
}

func caseBefore(s *save) error {
	if s.create || s.changed("Status") {
		closed := s.str("Status") == "Closed"
		wasClosed := s.old != nil && s.o.valueOf(s.old, "IsClosed") == true
		s.put("IsClosed", closed)
		switch {
		case closed && !wasClosed && !s.given("ClosedDate"):
			s.put("ClosedDate", s.clockNow())
		case !closed:
			s.put("ClosedDate", nil)
		}
	}
	if s.create || s.changed("ContactId") {
		contact := s.related("ContactId")
		for _, copy := range [][2]string{{"ContactPhone", "Phone"}, {"ContactMobile", "MobilePhone"},
			{"ContactEmail", "Email"}, {"ContactFax", "Fax"}} {
			s.put(copy[0], s.o.valueOf(contact, copy[1]))
		}
		if account := s.o.valueOf(contact, "AccountId"); account != nil && !s.given("AccountId") {
			s.put("AccountId", account)
		}
	}
	return nil
}

func leadBefore(s *save) error {
	if s.old != nil && s.o.valueOf(s.old, "IsConverted") == true {
		return schema.NewError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
	}
	if s.create && s.get("IsConverted") == true && !s.given("Status") {
		s.put("Status", "Closed - Converted")
	}
	return nil
}

// activityAccount derives an activity's AccountId: the related-to record
// if it is an account, else its account, else the contact's account.
func activityAccount(s *save) {
	if !s.create && !s.changed("WhatId") && !s.changed("WhoId") {
		return
	}
	var account any
	if what := s.related("WhatId"); what != nil {
		if what.sys.obj == "Account" {
			account = what.id
		} else {
			account = s.o.valueOf(what, "AccountId")
		}
	}
	if who := s.related("WhoId"); account == nil && who != nil && who.sys.obj == "Contact" {
		account = s.o.valueOf(who, "AccountId")
	}
	s.put("AccountId", account)
}

func taskBefore(s *save) error {
	if s.create && !s.given("TaskSubtype") {
		s.put("TaskSubtype", "Task")
	}
	if s.create || s.changed("Status") {
		closed := s.str("Status") == "Completed"
		switch {
		case closed && (s.old == nil || s.o.valueOf(s.old, "IsClosed") != true) && !s.given("CompletedDateTime"):
			s.put("CompletedDateTime", s.clockNow())
		case !closed:
			s.put("CompletedDateTime", nil)
		}
	}
	activityAccount(s)
	return nil
}

// eventBefore keeps an event's times consistent: StartDateTime (=
// ActivityDateTime), EndDateTime = start + DurationInMinutes, ActivityDate
// and EndDate. A timed event needs a start and a duration or an end.
func eventBefore(s *save) error {
	if s.create && !s.given("EventSubtype") {
		s.put("EventSubtype", "Event")
	}
	activityAccount(s)
	touched := s.create
	for _, n := range []string{"StartDateTime", "ActivityDateTime", "EndDateTime", "DurationInMinutes", "IsAllDayEvent", "ActivityDate"} {
		touched = touched || s.given(n)
	}
	if !touched {
		return nil
	}
	start, _ := s.get("StartDateTime").(time.Time)
	if s.given("ActivityDateTime") && !s.given("StartDateTime") {
		start, _ = s.get("ActivityDateTime").(time.Time)
	}
	if s.get("IsAllDayEvent") == true {
		return allDayEvent(s, start)
	}
	if start.IsZero() {
		return errRequired([]string{"ActivityDateTime"})
	}
	end, hasEnd := s.get("EndDateTime").(time.Time)
	dur, hasDur := s.get("DurationInMinutes").(int64)
	endGiven, durGiven := s.given("EndDateTime"), s.given("DurationInMinutes")
	switch {
	case !hasEnd && !hasDur:
		return errRequired([]string{"DurationInMinutes"})
	case hasEnd && hasDur && endGiven && durGiven && int64(end.Sub(start)/time.Minute) != dur:
		return schema.NewError("FIELD_INTEGRITY_EXCEPTION", "Event duration and end date/time do not agree", "DurationInMinutes", "EndDateTime")
	case hasEnd && (!hasDur || endGiven && !durGiven):
		dur = int64(end.Sub(start) / time.Minute) // the end moved: the duration follows
	default:
		end = start.Add(time.Duration(dur) * time.Minute) // the start or the duration moved: the end follows
	}
	if dur < 0 {
		return schema.NewError("FIELD_INTEGRITY_EXCEPTION", "End Date Time: End date/time must be after the start date/time", "EndDateTime")
	}
	s.put("StartDateTime", start)
	s.put("ActivityDateTime", start)
	s.put("EndDateTime", end)
	s.put("DurationInMinutes", dur)
	s.put("ActivityDate", dayIn(start, s.as.loc))
	s.put("EndDate", dayIn(end, s.as.loc))
	return nil
}

// allDayEvent sets the times of an all-day event: from midnight of its day
// (UTC dates), one day long unless a duration is given.
func allDayEvent(s *save, start time.Time) error {
	day, ok := s.get("ActivityDate").(time.Time)
	if !ok {
		if start.IsZero() {
			return errRequired([]string{"ActivityDate"})
		}
		day = dayIn(start, s.as.loc)
	}
	dur, ok := s.get("DurationInMinutes").(int64)
	if !ok {
		dur = 1440
	}
	end := day.Add(time.Duration(dur) * time.Minute)
	s.put("StartDateTime", day)
	s.put("ActivityDateTime", day)
	s.put("EndDateTime", end)
	s.put("DurationInMinutes", dur)
	s.put("ActivityDate", day)
	s.put("EndDate", end.Add(-time.Minute).Truncate(24*time.Hour))
	return nil
}

// dayIn returns the calendar day of t in loc, as a date (UTC midnight).
func dayIn(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// activityRelations keeps one relation record (TaskRelation,
// EventRelation) per related contact or lead, and for tasks per related-to
// record, as Salesforce does with Shared Activities.
func activityRelations(relObject, parentField string) func(s *save) error {
	return func(s *save) error {
		if !s.create && !s.changed("WhoId") && !s.changed("WhatId") {
			return nil
		}
		reg := s.o.Registry()
		ro := reg.Object(relObject)
		rt := s.o.tables[relObject]
		parent := ro.Field(parentField)
		relation := ro.Field("RelationId")
		var order []string // the Who, then the What
		want := map[string]bool{}
		for _, n := range []string{"WhoId", "WhatId"} {
			if id, ok := s.get(n).(string); ok {
				if t := reg.ObjectForID(id); t != nil && relation.References(t) && !want[id] {
					want[id] = true
					order = append(order, id)
				}
			}
		}
		num := recordNumber(s.id.(string))
		for _, n := range rt.children[parent.Index][num] {
			r := s.o.recs[n]
			if r == nil || r.deleted != 0 {
				continue
			}
			id, _ := r.Get(relation).(string)
			if want[id] {
				delete(want, id)
				continue
			}
			d := *r
			d.modstamp = s.o.tick()
			d.deleted = d.modstamp
			s.o.put(rt, n, r, &d)
			rt.deletions = append(rt.deletions, deletion{num: n, at: d.deleted})
		}
		sys := *s.as
		sys.system = true
		for _, id := range order {
			if !want[id] {
				continue // already related
			}
			rs := s.o.newSave(&sys, ro, nil)
			inheritAudit(s, rs) // loaded history: the relation dates from its activity
			rs.set[parent.Index] = s.id
			rs.set[relation.Index] = s.o.recs[recordNumber(id)].id
			if relObject == "EventRelation" {
				rs.set[ro.Field("IsParent").Index] = true
			}
			if _, err := s.o.insert(rs); err != nil {
				return err
			}
		}
		return nil
	}
}

// relationBefore derives IsWhat and AccountId of a TaskRelation or
// EventRelation.
func relationBefore(s *save) error {
	if !s.create {
		return nil
	}
	rel := s.related("RelationId")
	isWhat := rel != nil && rel.sys.obj != "Contact" && rel.sys.obj != "Lead" && rel.sys.obj != "User"
	s.put("IsWhat", isWhat)
	var account any
	switch {
	case rel != nil && rel.sys.obj == "Account":
		account = rel.id
	case rel != nil:
		account = s.o.valueOf(rel, "AccountId")
	}
	s.put("AccountId", account)
	return nil
}

func campaignMemberBefore(s *save) error {
	if s.create {
		lead, contact := s.related("LeadId"), s.related("ContactId")
		member := contact
		if member == nil {
			member = lead
		}
		if member == nil {
			return errRequired([]string{"ContactId", "LeadId"})
		}
		mf := s.field("ContactId")
		if member == lead {
			mf = s.field("LeadId")
		}
		ct := s.t
		campaign := s.field("CampaignId")
		for _, n := range ct.children[campaign.Index][recordNumber(s.str("CampaignId"))] {
			if r := s.o.recs[n]; r != nil && r.deleted == 0 && r.Get(mf) == member.id {
				return schema.NewError("DUPLICATE_VALUE", "Already a campaign member.")
			}
		}
		for _, n := range []string{"Salutation", "FirstName", "LastName", "Title", "Street", "City", "State",
			"PostalCode", "Country", "Email", "Phone", "Fax", "MobilePhone", "Description", "DoNotCall",
			"HasOptedOutOfEmail", "HasOptedOutOfFax", "LeadSource"} {
			src := n
			if member == contact {
				switch n {
				case "Street", "City", "State", "PostalCode", "Country":
					src = "Mailing" + n
				}
			}
			s.put(n, s.o.valueOf(member, src))
		}
		s.put("Name", s.o.valueOf(member, "Name"))
		s.put("LeadOrContactId", member.id)
		s.put("LeadOrContactOwnerId", s.o.valueOf(member, "OwnerId"))
		if member == contact {
			s.put("Type", "Contact")
			s.put("CompanyOrAccount", s.o.valueOf(s.o.recs[recordNumber(asString(s.o.valueOf(contact, "AccountId")))], "Name"))
		} else {
			s.put("Type", "Lead")
			s.put("CompanyOrAccount", s.o.valueOf(lead, "Company"))
		}
	}
	if s.create || s.changed("Status") {
		responded := s.str("Status") == "Responded"
		s.put("HasResponded", responded)
		if responded && s.get("FirstRespondedDate") == nil {
			s.put("FirstRespondedDate", dayIn(s.clockNow(), s.as.loc))
		}
	}
	return nil
}

// inheritAudit gives a record created on behalf of another the audit
// fields the other was loaded with.
func inheritAudit(from, to *save) {
	if from.audit == nil {
		return
	}
	to.audit = map[int]any{}
	for _, pair := range [][2]int{{from.t.sys.created, to.t.sys.created}, {from.t.sys.createdBy, to.t.sys.createdBy}} {
		if v, ok := from.audit[pair[0]]; ok && pair[1] >= 0 {
			to.audit[pair[1]] = v
		}
	}
}

func asString(v any) string { s, _ := v.(string); return s }

func orderBefore(s *save) error {
	if s.create || s.changed("Status") {
		status := s.str("Status")
		s.put("StatusCode", status)
		if status == "Activated" && (s.old == nil || s.o.valueOf(s.old, "StatusCode") != "Activated") && !s.given("ActivatedDate") {
			s.put("ActivatedDate", s.clockNow())
			s.put("ActivatedById", s.o.userBox(s.as.userID))
		}
	}
	return nil
}

// fileTypes maps file extensions to ContentVersion.FileType.
var fileTypes = map[string]string{
	"pdf": "PDF", "doc": "WORD", "docx": "WORD_X", "xls": "EXCEL", "xlsx": "EXCEL_X", "ppt": "POWER_POINT",
	"pptx": "POWER_POINT_X", "csv": "CSV", "txt": "TEXT", "rtf": "RTF", "png": "PNG", "jpg": "JPG", "jpeg": "JPEG",
	"gif": "GIF", "bmp": "BMP", "zip": "ZIP", "xml": "XML", "html": "HTML", "htm": "HTML", "mp4": "MP4",
	"mov": "MOV", "mp3": "MP3",
}

// contentVersionBefore derives a new version's file facts, and creates its
// ContentDocument when none is given.
func contentVersionBefore(s *save) error {
	if !s.create {
		return nil
	}
	data, url := s.str("VersionData"), s.str("ContentUrl")
	pathOnClient := s.str("PathOnClient")
	switch {
	case data == "" && url == "":
		return errRequired([]string{"VersionData"})
	case data != "" && pathOnClient == "":
		return errRequired([]string{"PathOnClient"})
	case s.get("Title") == nil:
		return errRequired([]string{"Title"})
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(pathOnClient)), ".")
	fileType := "UNKNOWN"
	if t, ok := fileTypes[ext]; ok {
		fileType = t
	}
	if url != "" && data == "" {
		fileType = "LINK"
	}
	raw, _ := base64.StdEncoding.DecodeString(data)
	sum := md5.Sum(raw)
	now := s.clockNow()
	s.put("FileExtension", ext)
	s.put("FileType", fileType)
	s.put("ContentSize", int64(len(raw)))
	s.put("Checksum", hex.EncodeToString(sum[:]))
	s.put("IsLatest", true)
	if s.get("ContentModifiedDate") == nil {
		modified := now
		if created, ok := s.audit[s.t.sys.created].(time.Time); ok {
			modified = created
		}
		s.put("ContentModifiedDate", modified)
	}
	status := "R"
	if s.get("FirstPublishLocationId") != nil {
		status = "P"
	}
	s.put("PublishStatus", status)
	if doc := s.related("ContentDocumentId"); doc != nil {
		versions := 0
		vt := s.t
		for _, n := range vt.children[s.field("ContentDocumentId").Index][doc.num] {
			if r := s.o.recs[n]; r != nil {
				versions++
			}
		}
		s.put("VersionNumber", strconv.Itoa(versions+1))
		return nil
	}
	docObj := s.o.Registry().Object("ContentDocument")
	sys := *s.as
	sys.system = true
	ds := s.o.newSave(&sys, docObj, nil)
	inheritAudit(s, ds)
	for _, n := range []string{"Title", "Description", "SharingOption", "SharingPrivacy"} {
		if v := s.get(n); v != nil {
			ds.put(n, v)
		}
	}
	ds.put("OwnerId", s.get("OwnerId"))
	ds.put("PublishStatus", status)
	ds.defaults()
	docID, err := s.o.insert(ds)
	if err != nil {
		return err
	}
	s.put("ContentDocumentId", s.o.recs[recordNumber(docID)].id)
	s.put("VersionNumber", "1")
	return nil
}

// contentVersionAfter makes the new version its document's latest.
func contentVersionAfter(s *save) error {
	if !s.create {
		return nil
	}
	doc := s.related("ContentDocumentId")
	docObj := s.o.Registry().Object("ContentDocument")
	dt := s.o.tables["ContentDocument"]
	docFields := map[string]any{"LatestPublishedVersionId": s.id, "Title": s.get("Title"), "FileType": s.get("FileType"),
		"FileExtension": s.get("FileExtension"), "ContentSize": s.get("ContentSize"),
		"ContentModifiedDate": s.get("ContentModifiedDate")}
	set := map[int]any{}
	for n, v := range docFields {
		set[docObj.Field(n).Index] = v
	}
	d := doc.with(set)
	d.modified, d.modstamp = s.now, s.o.tick()
	s.o.put(dt, doc.num, doc, d)
	latest := s.field("IsLatest")
	for _, n := range s.t.children[s.field("ContentDocumentId").Index][doc.num] {
		r := s.o.recs[n]
		if r == nil || r.ID() == s.id || r.Get(latest) != true {
			continue
		}
		c := r.with(map[int]any{latest.Index: nil})
		c.modstamp = s.o.tick()
		s.o.put(s.t, n, r, c)
	}
	return nil
}

func userBefore(s *save) error {
	if s.create || s.changed("Username") {
		name := s.str("Username")
		if !emailRE.MatchString(name) {
			return schema.NewError("INVALID_EMAIL_ADDRESS", "Username: invalid email address: "+name, "Username")
		}
		f := s.field("Username")
		if other, ok := s.t.unique[f.Index][uniqueKey(f, name)]; ok && (s.old == nil || other != s.old.num) {
			return schema.NewError("DUPLICATE_USERNAME", "Duplicate Username. The username already exists in this or another Salesforce organization. "+
				"Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).",
				"Username")
		}
	}
	if s.create {
		s.put("UserType", "Standard")
		if s.get("CommunityNickname") == nil {
			f := s.field("CommunityNickname")
			base, _, _ := strings.Cut(s.str("Username"), "@")
			nick := base
			for i := 1; ; i++ {
				if _, taken := s.t.unique[f.Index][uniqueKey(f, nick)]; !taken {
					break
				}
				nick = base + strconv.Itoa(i)
			}
			s.put("CommunityNickname", nick)
		}
	}
	return nil
}
