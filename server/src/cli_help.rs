//! The long texts of `aftercare --help` and `aftercare import --help`: the
//! exit codes and the mapping format, with an example. The full reference
//! and ready mappings for well-known helpdesks are in docs/mappings/.

/// Shown after every command's help.
pub const EXIT_CODES: &str = "\
Exit status:
  0  done (also after --help and --version)
  1  the command failed: a file refused (nothing was changed), the database unreachable, …
  2  the command line is wrong (unknown command or option, a bad value)

Run `aftercare COMMAND --help` for a command's options.";

/// `import --help`: how to write a mapping file, with an example.
pub const IMPORT_HELP: &str = "\
MAPPING FILES (TOML)
A mapping says where each Aftercare field comes from in your file. Top-level keys:
  timezone = \"Europe/Berlin\"  zone of times written without an offset (default UTC)
  delimiter = \";\"             the column separator (default: detected)
  repeated = \"last\"         what rows repeating an external id mean: last, first or events
Then one [fields.NAME] table per Aftercare field, with:
  column = \"Ticket ID\"        the file's column (its header text, or \"column 3\" without a header)
  value = \"email\"             or the same value for every row
  format = \"%d/%m/%Y %H:%M\"   times: a chrono format, for layouts not read by default
  duration = \"hours\"          times given as a duration after created_at:
                               seconds, minutes, hours or days (also 01:30:00)
  scale = [1, 10]              scores on another scale, moved linearly onto Aftercare's
  [fields.NAME.values]         value maps: the file's text = Aftercare's, e.g. Mail = \"email\"
  pick = \"first\"|\"last\"       with repeated = \"events\": which event gives the value

Times are read as RFC 3339, epoch seconds or common layouts, and stored to the
second (fractions are rounded to the nearest second). Priority is low, normal,
high or urgent; words such as critical or medium are read onto that scale.
An order's amount may be left unmapped: it is then unknown, not 0, and kept out
of money KPIs.

REPEATED IDS
Rows that repeat an external id within one file are reported; a strict import
refuses the file unless the mapping says what they are:
  repeated = \"last\"    an export with updates: the last row of each id wins
  repeated = \"first\"   one row per line item, the first carrying the record
                       (Shopify orders): the first row of each id wins
  repeated = \"events\"  an event log: the rows of one id are events of one ticket.
      created_at = the first event; resolved_at = the last mapped resolved_at,
      else the last event whose status says solved/resolved/closed (when status
      is mapped), else the last event; contacts = the events counted by the
      `contacts` field (map the author column: customer = \"1\", agent = \"0\"),
      or every event; status and scores from the last event, other fields from
      the first event unless `pick` says otherwise.

ROWS
Refused rows are numbered as a spreadsheet numbers them — the header is row 1,
so the first data row is \"row 2 (data row 1)\" — whatever the line endings.

EXAMPLE (tickets exported from a helpdesk)
  timezone = \"Europe/Berlin\"

  [fields.external_id]
  column = \"Ticket ID\"
  [fields.created_at]
  column = \"Created\"
  format = \"%d/%m/%Y %H:%M\"
  [fields.first_response_at]
  column = \"First reply time (hrs)\"
  duration = \"hours\"
  [fields.channel]
  column = \"Via\"
  [fields.channel.values]
  Mail = \"email\"
  [fields.category]
  column = \"Type\"
  [fields.team]
  value = \"Support\"
  [fields.csat]
  column = \"Rating\"
  scale = [1, 10]

  aftercare import tickets export.csv --mapping helpdesk.toml --rejects refused.csv

Ready mappings for Zendesk, Freshdesk, Help Scout, Gorgias, Intercom, HubSpot,
Shopify and event logs, and the full field list: docs/mappings/ in the source,
the Data page's built-in presets, and /docs when signed in.

Exit status:
  0  imported (also after --help)
  1  not imported: the file, the mapping or a row was refused (nothing was changed)
  2  the command line is wrong";
