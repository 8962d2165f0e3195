"""Polish dates as the site shows them: one format, "1 grudnia 2026" (the month in the genitive).

Django's own Polish short formats ("01-12-2026") differ from its long ones; here they are the
same. Input formats stay Django's.
"""

DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"
