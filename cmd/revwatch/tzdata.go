package main

// The IANA time zone database is embedded (about 450 KB), so a business's
// `timezone:` and CRON_TZ= schedules work on hosts and images without
// /usr/share/zoneinfo.
import _ "time/tzdata"
