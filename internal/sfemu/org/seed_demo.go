package org

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// The demo seed: a small company, Northwind Analytics, selling to a few
// hundred accounts in ten countries, whose phone numbers are written the
// way each country writes them (docs/adr/0140-phone-numbers-of-each-records-country.md;
// internal/workflow's TestDemoSeedPhones checks them, and TestExamplesOnDemoSeed
// runs the sample workflows over the seed). It is deterministic (seeded
// random numbers) and goes through the same validation as API calls, as a
// system principal that sets audit fields so records look created over the
// last eighteen months.

var (
	firstNames = []string{"Ava", "Liam", "Noah", "Emma", "Olivia", "Lucas", "Mia", "Ethan", "Sofia", "Mateo", "Chloe",
		"James", "Amelia", "Benjamin", "Harper", "Elijah", "Aria", "Henry", "Zoe", "Jack", "Nora", "Leo", "Maya",
		"Daniel", "Isla", "Samuel", "Grace", "David", "Hannah", "Omar", "Priya", "Kenji", "Fatima", "Diego", "Ingrid",
		"Tomás", "Aisha", "Wei", "Lena", "Marco", "Yuki", "Hugo", "Elena", "Ravi", "Clara", "Jonas", "Nadia", "Felix"}
	lastNames = []string{"Smith", "Johnson", "Garcia", "Martinez", "Brown", "Davis", "Miller", "Wilson", "Anderson",
		"Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
		"Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel",
		"Kim", "Müller", "Rossi", "Dubois", "Tanaka", "Silva", "Kowalski", "O'Brien", "Novak", "Lindqvist"}
	namePrefixes = []string{"Blue", "North", "Silver", "Granite", "Harbor", "Summit", "Pine", "Iron", "Bright", "Cedar",
		"Atlas", "Crescent", "Evergreen", "Falcon", "Golden", "Horizon", "Keystone", "Lakeside", "Maple", "Meridian",
		"Oak", "Pioneer", "Quantum", "Redwood", "River", "Sterling", "Sun", "Tidal", "Union", "Vertex", "West", "Willow"}
	nameCores = []string{"Ridge", "Bay", "Point", "Stone", "Field", "Gate", "Peak", "Line", "Bridge", "Works", "Wave",
		"Forge", "Path", "Crest", "Port", "Vale", "Star", "Rock", "Brook", "Grove"}
	nameSuffixes = []string{"Logistics", "Analytics", "Manufacturing", "Health", "Energy", "Foods", "Systems", "Capital",
		"Media", "Retail", "Labs", "Consulting", "Telecom", "Construction", "Biotech", "Partners", "Industries", "Software"}
	industryOf = map[string]string{"Logistics": "Transportation", "Analytics": "Technology", "Manufacturing": "Manufacturing",
		"Health": "Healthcare", "Energy": "Energy", "Foods": "Food & Beverage", "Systems": "Technology", "Capital": "Finance",
		"Media": "Media", "Retail": "Retail", "Labs": "Biotechnology", "Consulting": "Consulting", "Telecom": "Telecommunications",
		"Construction": "Construction", "Biotech": "Biotechnology", "Partners": "Consulting", "Industries": "Machinery",
		"Software": "Technology"}
	titles = []string{"CEO", "CFO", "CTO", "VP Sales", "VP Marketing", "Director of Operations", "IT Manager",
		"Procurement Manager", "Head of Finance", "Product Manager", "Operations Analyst", "Buyer", "Office Manager",
		"Engineering Lead", "Customer Success Manager"}
	departments = []string{"Executive", "Finance", "IT", "Sales", "Marketing", "Operations", "Procurement", "Engineering"}
	products    = []string{"Analytics Suite", "Data Platform", "Annual Support", "Onboarding Services", "Dashboards Pack",
		"Forecasting Module", "Integration Bundle", "Premium Licenses", "Training Days", "Renewal"}
	caseSubjects = []string{"Cannot log in to the portal", "Dashboard shows stale data", "Invoice amount is wrong",
		"Export to CSV fails", "Request for additional licenses", "Sync job stopped overnight", "Slow report loading",
		"Password reset email not received", "Question about renewal terms", "API rate limit reached",
		"Data import rejected rows", "Feature request: dark mode", "Chart colors unreadable", "SSO configuration help"}
	taskSubjects = []string{"Call", "Send Quote", "Send Letter", "Follow up on proposal", "Email pricing",
		"Schedule demo", "Check in after onboarding", "Prepare renewal", "Confirm requirements", "Other"}
	eventSubjects = []string{"Meeting", "Demo", "Quarterly business review", "Kickoff", "Lunch", "Call", "Workshop",
		"Contract review", "Site visit"}
)

// city is where an account, its contacts or a lead are. Its phone
// numbers are written the way people there write them: landlines and
// mobiles are templates where # is any digit and % a digit from 2 to 9
// (North American exchanges, and the first digit after some area codes);
// one template in each list is international (+country code), as numbers
// are often stored with it.
type city struct {
	name, state, postal, country string
	lat, lon                     float64
	landlines, mobiles           []string
}

var cities = []city{
	{"San Francisco", "CA", "94105", "United States", 37.7897, -122.3972,
		[]string{"(415) %##-####", "(415) %##-####", "(628) %##-####", "+1 415 %##-####"}, []string{"(415) %##-####", "(628) %##-####"}},
	{"Seattle", "WA", "98101", "United States", 47.6101, -122.3344,
		[]string{"(206) %##-####", "(206) %##-####", "(425) %##-####"}, []string{"(206) %##-####", "(425) %##-####"}},
	{"Austin", "TX", "78701", "United States", 30.2711, -97.7437,
		[]string{"(512) %##-####", "(512) %##-####", "(737) %##-####"}, []string{"(512) %##-####", "(737) %##-####"}},
	{"Chicago", "IL", "60601", "United States", 41.8858, -87.6181,
		[]string{"(312) %##-####", "(312) %##-####", "(872) %##-####"}, []string{"(773) %##-####", "(312) %##-####"}},
	{"New York", "NY", "10001", "United States", 40.7506, -73.9972,
		[]string{"(212) %##-####", "(212) %##-####", "(646) %##-####", "+1 212 %##-####"}, []string{"(917) %##-####", "(646) %##-####"}},
	{"Boston", "MA", "02110", "United States", 42.3554, -71.0525,
		[]string{"(617) %##-####", "(617) %##-####", "(857) %##-####"}, []string{"(617) %##-####", "(857) %##-####"}},
	{"Denver", "CO", "80202", "United States", 39.7525, -104.9995,
		[]string{"(303) %##-####", "(303) %##-####", "(720) %##-####"}, []string{"(720) %##-####", "(303) %##-####"}},
	{"Atlanta", "GA", "30303", "United States", 33.7537, -84.3863,
		[]string{"(404) %##-####", "(404) %##-####", "(678) %##-####"}, []string{"(470) %##-####", "(678) %##-####"}},
	{"Toronto", "ON", "M5H 2N2", "Canada", 43.6503, -79.3837,
		[]string{"(416) %##-####", "(416) %##-####", "(647) %##-####", "+1 416 %##-####"}, []string{"(647) %##-####", "(437) %##-####"}},
	{"London", "", "EC2V 7HH", "United Kingdom", 51.5155, -0.0922,
		[]string{"020 7### ####", "020 3### ####", "+44 20 7### ####"}, []string{"077## ######", "079## ######", "+44 78## ######"}},
	{"Paris", "", "75002", "France", 48.8686, 2.3412,
		[]string{"01 ## ## ## ##", "01 ## ## ## ##", "09 ## ## ## ##", "+33 1 ## ## ## ##"}, []string{"06 ## ## ## ##", "07 ## ## ## ##", "+33 6 ## ## ## ##"}},
	{"Berlin", "", "10117", "Germany", 52.5163, 13.3777,
		[]string{"030 %#######", "030 %#######", "+49 30 %#######"}, []string{"0151 ########", "0171 #######", "+49 160 #######"}},
	{"Amsterdam", "", "1012 JS", "Netherlands", 52.3731, 4.8922,
		[]string{"020 %## ####", "020 %## ####", "+31 20 %## ####"}, []string{"06 ########", "+31 6 ########"}},
	{"Madrid", "", "28013", "Spain", 40.4183, -3.7027,
		[]string{"91 %## ## ##", "91 %## ## ##", "+34 91 %## ## ##"}, []string{"6## ## ## ##", "+34 6## ### ###"}},
	{"Copenhagen", "", "1050", "Denmark", 55.6794, 12.5857,
		[]string{"33 ## ## ##", "33 ## ## ##", "+45 33 ## ## ##"}, []string{"2# ## ## ##", "+45 2# ## ## ##"}},
	{"Sydney", "NSW", "2000", "Australia", -33.8675, 151.2070,
		[]string{"(02) 9### ####", "(02) 8### ####", "+61 2 9### ####"}, []string{"04## ### ###", "+61 4## ### ###"}},
	{"Tokyo", "", "100-0005", "Japan", 35.6812, 139.7671,
		[]string{"03-%###-####", "03-%###-####", "+81 3-%###-####"}, []string{"090-####-####", "080-####-####", "+81 90-####-####"}},
}

var streets = []string{"Market Street", "Main Street", "Harbor Drive", "Oak Avenue", "Park Lane", "Mission Street",
	"King Street", "Elm Road", "Lakeview Boulevard", "Commerce Way", "Station Road", "Bridge Street"}

// seeder holds the random source and what the demo has created so far.
type seeder struct {
	o        *Org
	sys      *Principal
	rng      *rand.Rand
	now      time.Time
	owners   []string // the sales users, the standard user among them
	accounts []seedAccount
	contacts []seedContact
	leads    []string
	opps     []string
	cases    []string
	camps    []string
	err      error // the first failure
}

type seedAccount struct {
	id, name, domain string
	city             city
	created          time.Time
	owner            string
}

type seedContact struct {
	id, account, owner string
}

func (s *seeder) pick(list []string) string { return list[s.rng.IntN(len(list))] }

// past returns a time between from and to days ago, in business hours.
func (s *seeder) past(from, to int) time.Time {
	d := from + s.rng.IntN(max(to-from, 1))
	t := s.now.AddDate(0, 0, -d)
	return time.Date(t.Year(), t.Month(), t.Day(), 8+s.rng.IntN(10), s.rng.IntN(60), s.rng.IntN(60), 0, time.UTC)
}

// create stores a record; after the first failure it does nothing and the
// seed reports that failure.
func (s *seeder) create(object string, v Values) string {
	if s.err != nil {
		return ""
	}
	id, err := s.o.insertValues(s.sys, object, v)
	if err != nil {
		s.err = fmt.Errorf("creating %s %v: %w", object, v, err)
	}
	return id
}

// phone returns a number of the city, from one of its templates (see
// city).
func (s *seeder) phone(templates []string) string {
	t := s.pick(templates)
	b := make([]byte, 0, len(t))
	for i := range len(t) {
		switch t[i] {
		case '#':
			b = append(b, byte('0'+s.rng.IntN(10)))
		case '%':
			b = append(b, byte('2'+s.rng.IntN(8)))
		default:
			b = append(b, t[i])
		}
	}
	return string(b)
}

// seedDemo fills the org with the demo company.
func (o *Org) seedDemo() error {
	// Times are relative to the current hour, so that two demo orgs made in
	// the same hour are identical.
	s := &seeder{o: o, sys: o.System(), rng: rand.New(rand.NewPCG(2026, 11)), now: o.clock.Now().UTC().Truncate(time.Hour)}
	o.mu.Lock()
	defer o.mu.Unlock()
	s.users()
	s.accountsAndContacts(300)
	s.campaigns()
	s.leadsFor(400)
	s.opportunities()
	s.casesFor()
	s.members()
	s.orders()
	s.activities()
	s.files()
	s.analytics()
	return s.err
}

func (s *seeder) users() {
	admin := s.sys.userID
	standard := s.o.userNamed(StandardUsername).ID()
	s.owners = []string{admin, standard, standard}
	for _, u := range []NewUser{
		{Username: "maya.chen@example.com", FirstName: "Maya", LastName: "Chen", Alias: "mchen"},
		{Username: "omar.haddad@example.com", FirstName: "Omar", LastName: "Haddad", Alias: "ohadd"},
		{Username: "ingrid.larsen@example.com", FirstName: "Ingrid", LastName: "Larsen", Alias: "ilars", TimeZone: "Europe/Berlin", Locale: "de_DE", Language: "de"},
		{Username: "diego.alvarez@example.com", FirstName: "Diego", LastName: "Alvarez", Alias: "dalva", TimeZone: "America/New_York"},
	} {
		u.Email, u.Password = u.Username, DevPassword
		id, err := s.o.createUser(s.sys, u, s.o.profileNamed(StandardUser).ID, Values{"CreatedDate": s.now.AddDate(-2, 0, 0)})
		if err != nil && s.err == nil {
			s.err = fmt.Errorf("creating user %s: %w", u.Username, err)
		}
		s.owners = append(s.owners, id)
	}
}

func (s *seeder) accountsAndContacts(n int) {
	seen := map[string]bool{}
	for len(s.accounts) < n {
		suffix := s.pick(nameSuffixes)
		name := s.pick(namePrefixes) + s.pick(nameCores) + " " + suffix
		if seen[name] {
			continue
		}
		seen[name] = true
		c := cities[s.rng.IntN(len(cities))]
		domain := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(name, " "+suffix), " ", "")) + ".example.com"
		created := s.past(30, 540)
		owner := s.pick(s.owners)
		employees := int64(math.Round(math.Exp(2 + s.rng.Float64()*8)))
		revenue := math.Round(float64(employees)*(80000+s.rng.Float64()*170000)/1000) * 1000
		ownership := s.pick([]string{"Public", "Private", "Private", "Subsidiary"})
		street := fmt.Sprintf("%d %s", 1+s.rng.IntN(2500), s.pick(streets))
		v := Values{
			"Name": name, "Type": s.pick([]string{"Prospect", "Prospect", "Customer - Direct", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller", "Technology Partner", "Other"}),
			"Industry": industryOf[suffix], "Rating": s.pick([]string{"Hot", "Warm", "Warm", "Cold"}),
			"AccountSource": s.pick([]string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}),
			"Ownership":     ownership, "Phone": s.phone(c.landlines), "Website": "https://www." + domain,
			"AnnualRevenue": revenue, "NumberOfEmployees": employees,
			"AccountNumber": fmt.Sprintf("NW-%05d", len(s.accounts)+1001),
			"BillingStreet": street, "BillingCity": c.name, "BillingState": c.state, "BillingPostalCode": c.postal,
			"BillingCountry": c.country, "BillingLatitude": c.lat + (s.rng.Float64()-0.5)/50,
			"BillingLongitude": c.lon + (s.rng.Float64()-0.5)/50, "BillingGeocodeAccuracy": "Address",
			"ShippingStreet": street, "ShippingCity": c.name, "ShippingState": c.state, "ShippingPostalCode": c.postal,
			"ShippingCountry": c.country, "OwnerId": owner, "CreatedDate": created, "CreatedById": owner,
		}
		if ownership == "Public" {
			v["TickerSymbol"] = strings.ToUpper(domain[:3]) + strings.ToUpper(string(suffix[0]))
		}
		if s.rng.IntN(4) == 0 {
			v["Description"] = fmt.Sprintf("%s serves customers in %s. Key contact for renewals is the finance team.", name, c.name)
		}
		if len(s.accounts) > 20 && s.rng.IntN(10) == 0 {
			v["ParentId"] = s.accounts[s.rng.IntN(20)].id
		}
		a := seedAccount{id: s.create("Account", v), name: name, domain: domain, city: c, created: created, owner: owner}
		s.accounts = append(s.accounts, a)
		var boss string
		for i := range 1 + s.rng.IntN(5) {
			s.contact(a, i, &boss)
		}
	}
}

func (s *seeder) contact(a seedAccount, i int, boss *string) {
	first, last := s.pick(firstNames), s.pick(lastNames)
	email := strings.ToLower(strings.NewReplacer("'", "", "ü", "u", "á", "a").Replace(first+"."+last)) + "@" + a.domain
	v := Values{
		"AccountId": a.id, "FirstName": first, "LastName": last, "Email": email,
		"Salutation": s.pick([]string{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."}), "Title": s.pick(titles),
		"Department": s.pick(departments), "Phone": s.phone(a.city.landlines), "MobilePhone": s.phone(a.city.mobiles),
		"LeadSource":  s.pick([]string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}),
		"Birthdate":   time.Date(1960+s.rng.IntN(40), time.Month(1+s.rng.IntN(12)), 1+s.rng.IntN(28), 0, 0, 0, 0, time.UTC),
		"MailingCity": a.city.name, "MailingState": a.city.state, "MailingPostalCode": a.city.postal,
		"MailingCountry": a.city.country, "HasOptedOutOfEmail": s.rng.IntN(12) == 0,
		"OwnerId": a.owner, "CreatedDate": a.created.Add(time.Duration(1+s.rng.IntN(240)) * time.Hour), "CreatedById": a.owner,
	}
	if i > 0 && *boss != "" {
		v["ReportsToId"] = *boss
	}
	id := s.create("Contact", v)
	if i == 0 {
		*boss = id
	}
	s.contacts = append(s.contacts, seedContact{id: id, account: a.id, owner: a.owner})
}

func (s *seeder) campaigns() {
	list := []struct {
		name, typ string
		days      int
	}{{"Spring Product Webinar", "Webinar", 400}, {"Data Summit Booth", "Trade Show", 360}, {"Partner Referral Drive", "Referral Program", 300},
		{"Q2 Email Nurture", "Email", 250}, {"Analytics Roadshow", "Conference", 200}, {"Banner Retargeting", "Banner Ads", 160},
		{"Customer Advisory Board", "Other", 120}, {"Holiday Direct Mail", "Direct Mail", 90}, {"New Year Telemarketing", "Telemarketing", 60},
		{"Forecasting Webinar Series", "Webinar", 30}, {"Spring Summit 2027", "Conference", -20}, {"Partner Launch", "Partners", -45}}
	for _, c := range list {
		start := s.now.AddDate(0, 0, -c.days)
		end := start.AddDate(0, 0, 21+s.rng.IntN(40))
		status := "Completed"
		switch {
		case start.After(s.now):
			status = "Planned"
		case end.After(s.now):
			status = "In Progress"
		case s.rng.IntN(10) == 0:
			status = "Aborted"
		}
		budget := float64(5000 + 1000*s.rng.IntN(45))
		v := Values{"Name": c.name, "Type": c.typ, "Status": status, "StartDate": day(start), "EndDate": day(end),
			"BudgetedCost": budget, "ExpectedRevenue": budget * float64(4+s.rng.IntN(8)),
			"ExpectedResponse": float64(2 + s.rng.IntN(20)), "NumberSent": float64(500 + 100*s.rng.IntN(50)),
			"IsActive": status != "Completed" && status != "Aborted", "OwnerId": s.owners[0],
			"CreatedDate": start.AddDate(0, 0, -30)}
		if status == "Completed" {
			v["ActualCost"] = math.Round(budget * (0.7 + s.rng.Float64()*0.5))
		}
		s.camps = append(s.camps, s.create("Campaign", v))
	}
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func (s *seeder) leadsFor(n int) {
	statuses := []string{"Open - Not Contacted", "Open - Not Contacted", "Working - Contacted", "Working - Contacted", "Closed - Not Converted"}
	for i := range n {
		first, last := s.pick(firstNames), s.pick(lastNames)
		company := s.pick(namePrefixes) + " " + s.pick(nameCores) + " " + s.pick(nameSuffixes)
		c := cities[s.rng.IntN(len(cities))]
		owner := s.pick(s.owners)
		created := s.past(0, 400)
		if i < 12 {
			created = s.now.Add(-time.Duration(1+s.rng.IntN(70)) * time.Hour) // a few this week
		}
		domain := strings.ToLower(strings.ReplaceAll(company, " ", "")) + ".example.com"
		v := Values{"FirstName": first, "LastName": last, "Company": company, "Title": s.pick(titles),
			"Email": strings.ToLower(strings.NewReplacer("'", "", "ü", "u", "á", "a").Replace(first[:1]+last)) + "@" + domain,
			"Phone": s.phone(c.landlines), "Status": s.pick(statuses), "Rating": s.pick([]string{"Hot", "Warm", "Cold", "Cold"}),
			"LeadSource": s.pick([]string{"Web", "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}),
			"Industry":   s.pick([]string{"Technology", "Finance", "Healthcare", "Retail", "Manufacturing", "Energy", "Media"}),
			"City":       c.name, "State": c.state, "PostalCode": c.postal, "Country": c.country,
			"NumberOfEmployees": int64(10 + s.rng.IntN(5000)), "IsUnreadByOwner": created.After(s.now.AddDate(0, 0, -3)),
			"OwnerId": owner, "CreatedDate": created, "CreatedById": owner}
		if i%25 == 24 {
			// A few leads were converted into existing accounts.
			a := s.accounts[s.rng.IntN(len(s.accounts))]
			v["IsConverted"], v["ConvertedAccountId"], v["Status"] = true, a.id, "Closed - Converted"
			v["ConvertedDate"] = day(created.AddDate(0, 0, 5))
		}
		s.leads = append(s.leads, s.create("Lead", v))
	}
}

func (s *seeder) opportunities() {
	open := []string{"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
		"Perception Analysis", "Proposal/Price Quote", "Negotiation/Review"}
	for _, a := range s.accounts {
		for range s.rng.IntN(3) + s.rng.IntN(2) {
			created := a.created.Add(time.Duration(s.rng.IntN(24*200)) * time.Hour)
			if created.After(s.now) {
				created = s.now.Add(-time.Hour)
			}
			var stageName string
			var closeDate time.Time
			switch r := s.rng.IntN(10); {
			case r < 3:
				stageName, closeDate = "Closed Won", created.AddDate(0, 0, 20+s.rng.IntN(90))
			case r < 5:
				stageName, closeDate = "Closed Lost", created.AddDate(0, 0, 20+s.rng.IntN(90))
			default:
				stageName, closeDate = s.pick(open), s.now.AddDate(0, 0, s.rng.IntN(180)-20)
			}
			if stageName[:6] == "Closed" && closeDate.After(s.now) {
				closeDate = s.now.AddDate(0, 0, -1)
			}
			v := Values{"AccountId": a.id, "Name": a.name + " - " + s.pick(products), "StageName": stageName,
				"CloseDate": day(closeDate), "Amount": float64(5000 + 500*s.rng.IntN(400)),
				"Type":       s.pick([]string{"New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade"}),
				"LeadSource": s.pick([]string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}),
				"OwnerId":    a.owner, "CreatedDate": created, "CreatedById": a.owner}
			if stageName[:6] != "Closed" {
				v["NextStep"] = s.pick([]string{"Send proposal", "Schedule demo", "Legal review", "Pricing approval", "Technical validation"})
			}
			if s.rng.IntN(4) == 0 {
				v["CampaignId"] = s.pick(s.camps[:10])
			}
			s.opps = append(s.opps, s.create("Opportunity", v))
		}
	}
}

func (s *seeder) casesFor() {
	for n := range 300 {
		k := s.contacts[s.rng.IntN(len(s.contacts))]
		created := s.past(0, 365)
		status := s.pick([]string{"Closed", "Closed", "Closed", "New", "Working", "Escalated"})
		if n < 5 {
			status = "New"
		}
		v := Values{"ContactId": k.id, "AccountId": k.account, "Subject": s.pick(caseSubjects), "Status": status,
			"Priority": s.pick([]string{"High", "Medium", "Medium", "Low"}), "Origin": s.pick([]string{"Phone", "Email", "Web"}),
			"Type":        s.pick([]string{"Mechanical", "Electrical", "Electronic", "Structural", "Other"}),
			"Reason":      s.pick([]string{"Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other"}),
			"IsEscalated": status == "Escalated", "OwnerId": s.pick(s.owners), "CreatedDate": created}
		if status == "Closed" {
			v["ClosedDate"] = created.Add(time.Duration(1+s.rng.IntN(24*20)) * time.Hour)
		}
		if s.rng.IntN(2) == 0 {
			v["Description"] = "Reported by the customer on " + created.Format("January 2") + ". Steps to reproduce are in the attached email."
		}
		s.cases = append(s.cases, s.create("Case", v))
	}
}

func (s *seeder) members() {
	for i, c := range s.camps[:10] {
		used := map[string]bool{}
		for range 40 + s.rng.IntN(40) {
			var v Values
			if s.rng.IntN(3) == 0 {
				id := s.pick(s.leads)
				if used[id] {
					continue
				}
				used[id] = true
				v = Values{"CampaignId": c, "LeadId": id}
			} else {
				id := s.contacts[s.rng.IntN(len(s.contacts))].id
				if used[id] {
					continue
				}
				used[id] = true
				v = Values{"CampaignId": c, "ContactId": id}
			}
			if s.rng.IntN(3) == 0 {
				v["Status"] = "Responded"
			}
			v["CreatedDate"] = s.past(0, 400-30*i)
			s.create("CampaignMember", v)
		}
	}
}

func (s *seeder) orders() {
	for i := range 80 {
		a := s.accounts[s.rng.IntN(len(s.accounts))]
		start := s.past(0, 300)
		v := Values{"AccountId": a.id, "EffectiveDate": day(start), "Status": "Draft", "Name": fmt.Sprintf("PO %s %d", a.name, i+1),
			"Type": s.pick([]string{"New", "Renewal", "Upgrade"}), "PoNumber": fmt.Sprintf("PO-%06d", 100000+s.rng.IntN(900000)),
			"BillingCity": a.city.name, "BillingCountry": a.city.country, "OwnerId": a.owner, "CreatedDate": start}
		id := s.create("Order", v)
		if s.rng.IntN(3) > 0 && s.err == nil {
			in, err := s.o.Input("Order", Values{"Status": "Activated", "ActivatedDate": start.Add(26 * time.Hour), "ActivatedById": a.owner})
			if err == nil {
				err = s.o.update(s.sys, "Order", id, in)
			}
			if err != nil {
				s.err = fmt.Errorf("activating order %s: %w", id, err)
			}
		}
	}
}

func (s *seeder) activities() {
	for range 1500 {
		k := s.contacts[s.rng.IntN(len(s.contacts))]
		due := s.now.AddDate(0, 0, s.rng.IntN(120)-90)
		status := "Completed"
		if due.After(s.now.AddDate(0, 0, -7)) {
			status = s.pick([]string{"Not Started", "In Progress", "Waiting on someone else", "Completed"})
		}
		subject := s.pick(taskSubjects)
		v := Values{"Subject": subject, "Status": status, "Priority": s.pick([]string{"High", "Normal", "Normal", "Low"}),
			"ActivityDate": day(due), "WhoId": k.id, "OwnerId": k.owner,
			"Type": s.pick([]string{"Call", "Email", "Meeting", "Other"}), "CreatedDate": due.AddDate(0, 0, -3)}
		if status == "Completed" {
			v["CompletedDateTime"] = due
		}
		switch s.rng.IntN(4) {
		case 0:
			if len(s.opps) > 0 {
				v["WhatId"] = s.pick(s.opps)
			}
		case 1:
			v["WhatId"] = k.account
		}
		if subject == "Call" {
			v["TaskSubtype"], v["CallType"] = "Call", s.pick([]string{"Inbound", "Outbound"})
			v["CallDurationInSeconds"] = int64(60 + s.rng.IntN(1800))
		}
		if s.rng.IntN(3) == 0 {
			v["Description"] = "Discussed next steps and timeline."
		}
		s.create("Task", v)
	}
	for range 800 {
		k := s.contacts[s.rng.IntN(len(s.contacts))]
		start := s.now.AddDate(0, 0, s.rng.IntN(150)-110)
		start = time.Date(start.Year(), start.Month(), start.Day(), 14+s.rng.IntN(8), 30*s.rng.IntN(2), 0, 0, time.UTC)
		v := Values{"Subject": s.pick(eventSubjects), "StartDateTime": start, "DurationInMinutes": int64(30 * (1 + s.rng.IntN(4))),
			"WhoId": k.id, "WhatId": k.account, "OwnerId": k.owner, "ShowAs": "Busy", "CreatedDate": start.AddDate(0, 0, -10),
			"Location": s.pick([]string{"Zoom", "Customer office", "Our office", "Microsoft Teams", "Phone"})}
		if s.rng.IntN(20) == 0 {
			v["IsAllDayEvent"], v["ActivityDate"] = true, day(start)
			delete(v, "StartDateTime")
			delete(v, "DurationInMinutes")
		}
		s.create("Event", v)
	}
}

func (s *seeder) files() {
	docs := []struct{ path, title, body string }{
		{"Proposal.pdf", "Proposal", "%PDF-1.4 demo proposal"},
		{"Price list 2026.csv", "Price list 2026", "product,price\nAnalytics Suite,12000\nData Platform,30000\n"},
		{"Onboarding checklist.txt", "Onboarding checklist", "1. Kickoff\n2. Data import\n3. Training\n"},
		{"Master services agreement.docx", "Master services agreement", "PK demo docx"},
		{"QBR slides.pptx", "QBR slides", "PK demo pptx"},
		{"Architecture diagram.png", "Architecture diagram", "\x89PNG demo"},
		{"Security questionnaire.xlsx", "Security questionnaire", "PK demo xlsx"},
		{"Meeting notes.txt", "Meeting notes", "Agreed to a pilot in the EMEA region."},
	}
	for i, d := range docs {
		v := Values{"PathOnClient": d.path, "Title": d.title, "VersionData": base64.StdEncoding.EncodeToString([]byte(d.body)),
			"OwnerId": s.owners[i%len(s.owners)], "CreatedDate": s.past(1, 200)}
		if i%2 == 0 {
			v["FirstPublishLocationId"] = s.accounts[i].id
		}
		s.create("ContentVersion", v)
	}
}

// ListViewQuery returns the SOQL of a list view (its filter, columns and
// order), as /listviews/{id}/describe reports it.
func (o *Org) ListViewQuery(id string) (string, bool) {
	r := o.Lookup(id)
	if r == nil {
		return "", false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	soql, ok := o.listViews[r.ID()]
	return soql, ok
}

// listViews are the demo's list views, with their filters as SOQL.
var listViews = []struct{ object, label, name, soql string }{
	{"Account", "All Accounts", "AllAccounts", "SELECT Name, Site, BillingState, Phone, Type, Owner.Alias FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Account", "My Accounts", "MyAccounts", "SELECT Name, Site, BillingState, Phone, Type, Owner.Alias FROM Account USING SCOPE mine ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Account", "New This Week", "NewThisWeek", "SELECT Name, Site, BillingState, Phone, Type, Owner.Alias FROM Account WHERE CreatedDate = THIS_WEEK ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Contact", "All Contacts", "AllContacts", "SELECT Name, Account.Name, Title, Phone, Email, Owner.Alias FROM Contact ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Contact", "My Contacts", "MyContacts", "SELECT Name, Account.Name, Title, Phone, Email, Owner.Alias FROM Contact USING SCOPE mine ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Contact", "New This Week", "NewThisWeek", "SELECT Name, Account.Name, Title, Phone, Email, Owner.Alias FROM Contact WHERE CreatedDate = THIS_WEEK ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Lead", "All Open Leads", "AllOpenLeads", "SELECT Name, Company, State, Email, Status, CreatedDate, Owner.Alias FROM Lead WHERE IsConverted = false ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Lead", "My Unread Leads", "MyUnreadLeads", "SELECT Name, Company, State, Email, Status, CreatedDate FROM Lead USING SCOPE mine WHERE IsUnreadByOwner = true ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Lead", "Today's Leads", "TodaysLeads", "SELECT Name, Company, State, Email, Status, Owner.Alias FROM Lead WHERE CreatedDate = TODAY ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Opportunity", "All Opportunities", "AllOpportunities", "SELECT Name, Account.Name, Amount, CloseDate, StageName, Owner.Alias FROM Opportunity ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Opportunity", "My Opportunities", "MyOpportunities", "SELECT Name, Account.Name, Amount, CloseDate, StageName FROM Opportunity USING SCOPE mine ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Opportunity", "Open Opportunities", "OpenOpportunities", "SELECT Name, Account.Name, Amount, CloseDate, StageName, Owner.Alias FROM Opportunity WHERE IsClosed = false ORDER BY CloseDate ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Opportunity", "Closing This Month", "ClosingThisMonth", "SELECT Name, Account.Name, Amount, CloseDate, StageName, Owner.Alias FROM Opportunity WHERE CloseDate = THIS_MONTH ORDER BY CloseDate ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Opportunity", "Won", "Won", "SELECT Name, Account.Name, Amount, CloseDate, Owner.Alias FROM Opportunity WHERE IsWon = true ORDER BY CloseDate DESC NULLS LAST, Id ASC NULLS FIRST"},
	{"Case", "All Open Cases", "AllOpenCases", "SELECT CaseNumber, Contact.Name, Subject, Status, Priority, CreatedDate, Owner.Alias FROM Case WHERE IsClosed = false ORDER BY CaseNumber ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Case", "My Open Cases", "MyOpenCases", "SELECT CaseNumber, Contact.Name, Subject, Status, Priority, CreatedDate FROM Case USING SCOPE mine WHERE IsClosed = false ORDER BY CaseNumber ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Case", "Escalated Cases", "EscalatedCases", "SELECT CaseNumber, Contact.Name, Subject, Priority, Owner.Alias FROM Case WHERE IsEscalated = true ORDER BY CaseNumber ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Campaign", "All Campaigns", "AllCampaigns", "SELECT Name, Type, Status, StartDate, EndDate, Owner.Alias FROM Campaign ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Campaign", "All Active Campaigns", "AllActiveCampaigns", "SELECT Name, Type, Status, StartDate, EndDate FROM Campaign WHERE IsActive = true ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Order", "All Orders", "AllOrders", "SELECT OrderNumber, Account.Name, Status, EffectiveDate, TotalAmount FROM Order ORDER BY OrderNumber ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Order", "Draft Orders", "DraftOrders", "SELECT OrderNumber, Account.Name, EffectiveDate FROM Order WHERE StatusCode = 'Draft' ORDER BY OrderNumber ASC NULLS FIRST, Id ASC NULLS FIRST"},
	{"Task", "Open Tasks", "OpenTasks", "SELECT Subject, Who.Name, What.Name, ActivityDate, Status, Priority FROM Task WHERE IsClosed = false ORDER BY ActivityDate ASC NULLS LAST, Id ASC NULLS FIRST"},
}

func (s *seeder) analytics() {
	admin := s.owners[0]
	reports := []struct{ name, dev, folder, format, desc string }{
		{"Pipeline by Stage", "Pipeline_by_Stage", "Sales Reports", "Summary", "Open opportunities grouped by stage"},
		{"Closed Won This Quarter", "Closed_Won_This_Quarter", "Sales Reports", "Tabular", "Won deals in the current quarter"},
		{"Opportunities by Owner", "Opportunities_by_Owner", "Sales Reports", "Matrix", "Amount by owner and month"},
		{"Accounts by Industry", "Accounts_by_Industry", "Account Reports", "Summary", "Account count per industry"},
		{"New Leads This Month", "New_Leads_This_Month", "Lead Reports", "Tabular", "Leads created this month"},
		{"Lead Source Conversion", "Lead_Source_Conversion", "Lead Reports", "Summary", "Converted leads by source"},
		{"Open Cases by Priority", "Open_Cases_by_Priority", "Service Reports", "Summary", "Open cases grouped by priority"},
		{"Case Resolution Times", "Case_Resolution_Times", "Service Reports", "Tabular", "Days to close by case type"},
		{"Campaign ROI", "Campaign_ROI", "Marketing Reports", "Tabular", "Cost and revenue per campaign"},
		{"Activities Last 30 Days", "Activities_Last_30_Days", "Activity Reports", "MultiBlock", "Tasks and events in the last 30 days"},
	}
	for _, r := range reports {
		s.create("Report", Values{"Name": r.name, "DeveloperName": r.dev, "FolderName": r.folder, "Format": r.format,
			"Description": r.desc, "OwnerId": admin, "LastRunDate": s.past(0, 20), "CreatedDate": s.past(60, 400)})
	}
	dashboards := []struct{ title, dev, folder, desc string }{
		{"Sales Overview", "Sales_Overview", "Sales Dashboards", "Pipeline, bookings and win rate"},
		{"Service Health", "Service_Health", "Service Dashboards", "Open cases, escalations and backlog"},
		{"Marketing Funnel", "Marketing_Funnel", "Marketing Dashboards", "Leads, responses and campaign ROI"},
		{"Executive Summary", "Executive_Summary", "Company Dashboards", "Revenue, customers and support at a glance"},
		{"Rep Scorecard", "Rep_Scorecard", "Sales Dashboards", "Activity and attainment per rep"},
	}
	for _, d := range dashboards {
		s.create("Dashboard", Values{"Title": d.title, "DeveloperName": d.dev, "FolderId": admin, "FolderName": d.folder,
			"Description": d.desc, "LeftSize": "Medium", "MiddleSize": "Medium", "RightSize": "Medium",
			"RunningUserId": admin, "Type": "SpecifiedUser", "CreatedDate": s.past(60, 400)})
	}
	for _, lv := range listViews {
		id := s.create("ListView", Values{"Name": lv.label, "DeveloperName": lv.name, "SobjectType": lv.object,
			"IsSoqlCompatible": true, "CreatedDate": s.past(300, 500)})
		s.o.listViews[id] = lv.soql
	}
}
