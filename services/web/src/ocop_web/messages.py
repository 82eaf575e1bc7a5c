"""What a form says about a refused answer, per error type or code, in the reader's language:
a catalogue, never strings made up where the error is caught.

Lookup order for one error on one field: ``(field, code)`` in ``BY_FIELD``, then ``code`` in
``BY_CODE`` (the services' domain codes and pydantic's validation types), then the generic
``FALLBACK``. ``%(field)s`` is the field's label in lower case, as the form names it."""

from __future__ import annotations

from ocop_web.i18n import N_

FALLBACK = N_("Check %(field)s")
FORM_FALLBACK = N_("The service could not accept this. Check your answers and try again")

BY_CODE: dict[str, str] = {
    # pydantic's validation types (the services' 422 ``detail`` list)
    "missing": N_("Enter %(field)s"),
    "string_too_short": N_("Enter %(field)s"),
    "string_too_long": N_("%(field)s is too long"),
    "string_type": N_("Enter %(field)s as text"),
    "string_pattern_mismatch": N_("Enter %(field)s in the correct format"),
    "int_parsing": N_("%(field)s must be a whole number"),
    "int_type": N_("%(field)s must be a whole number"),
    "float_parsing": N_("%(field)s must be a number"),
    "decimal_parsing": N_("%(field)s must be a number"),
    "greater_than": N_("%(field)s is too small"),
    "greater_than_equal": N_("%(field)s is too small"),
    "less_than": N_("%(field)s is too large"),
    "less_than_equal": N_("%(field)s is too large"),
    "date_parsing": N_("%(field)s must be a real date, for example 27/03/2026"),
    "date_from_datetime_parsing": N_("%(field)s must be a real date, for example 27/03/2026"),
    "literal_error": N_("Select %(field)s"),
    "enum": N_("Select %(field)s"),
    "url_parsing": N_("Enter %(field)s as a web address, starting with https://"),
    "uuid_parsing": N_("%(field)s is not a valid reference"),
    "too_short": N_("Select at least one %(field)s"),
    "too_long": N_("Too many %(field)s"),
    "extra_forbidden": N_("%(field)s is not expected here"),
    "value_error": N_("Check %(field)s"),
    # the services' domain codes
    "wrong_login_or_password": N_("The email address, phone number or password is not right"),
    "too_many_attempts": N_("Too many attempts. Try again in %(retry_after)s seconds"),
    "already_registered": N_("%(field)s is already registered"),
    "conflict": N_("%(field)s conflicts with an existing record"),
    "not_found": N_("%(field)s was not found"),
    "forbidden": N_("You are not allowed to do this"),
    "weak_password": N_(
        "Choose a stronger password: 10 to 128 characters, not a common password, not your email or phone number"
    ),
    "too_large": N_("The file is too large"),
    "time_parsing": N_("%(field)s must be a time of day, for example 08:00"),
    "fair_state_changed": N_(
        "The fair's status has changed since this page was opened. Go back to the fair and try again"
    ),
    # registration's password policy (domain/passwords.py: a 422 ``value_error`` whose msg
    # says which rule; forms.password_code reads it)
    "password_too_short": N_("The password must be at least 10 characters long"),
    "password_too_long": N_("The password must be 128 characters or fewer"),
    "password_one_character": N_(
        "The password must not be one character repeated: mix letters, digits or words"
    ),
    "password_is_login": N_(
        "The password must not be your email address or phone number: choose another"
    ),
    "password_common": N_(
        "This is one of the passwords people use most, which attackers try first: choose another"
    ),
    # fairs (pages/fairs.py): a fair that can no longer change
    "fair_not_editable": N_(
        "The fair's name, venue and dates can no longer change: applications are closed. Go back to the fair"
    ),
    # ranked booth choices (pages/exhibitor_fairs.py)
    "chosen_twice": N_("You chose this booth already: choose another one, or no choice"),
    # certifying councils (pages/certifier.py)
    "outside_jurisdiction": N_("This product's holder is outside your council's jurisdiction"),
    "unreadable_file": N_("The file cannot be read: choose a CSV or XLSX file of the register"),
    "empty_file": N_("The file is empty"),
    "too_many_numbers": N_("List at most %(limit)s certificates in one decision"),
    # on-site quality inspection (pages/inspector.py, issue 15)
    "fair_not_inspectable": N_("This fair is not set up or selling now: it cannot be inspected"),
    "inspection_id_taken": N_(
        "This inspection was recorded already with other answers: start again"
    ),
    # trade matching, visitors, fair series (pages/trade.py, visitors.py, series.py, issue 15)
    "fair_not_held": N_(
        "Trade and visitors are recorded once the fair is set up: applications closed, under way or finished"
    ),
    "record_id_taken": N_("This was recorded already with other answers: start again"),
    "visitors_below_zero": N_("This correction would take the day below zero visitors"),
    # fair kinds: a showroom's opening hours, a commission (pages/fair_kinds.py, issue 15)
    "opening_time_missing": N_(
        "Enter the opening time on %(day)s, or leave both times empty if it is closed that day"
    ),
    "closing_time_missing": N_(
        "Enter the closing time on %(day)s, or leave both times empty if it is closed that day"
    ),
    "hours_time_parsing": N_("Enter the time on %(day)s as HH:MM, for example 08:00"),
    "closes_before_opens": N_(
        "On %(day)s the closing time must be after the opening time, on the same day"
    ),
    "commission_range": N_("The commission must be a whole percent from 0 to 50"),
}

BY_FIELD: dict[tuple[str, str], str] = {
    # exhibitor portal: sign-up, products, applications (pages/exhibitor_*.py)
    ("kind", "missing"): N_("Select the kind of organization"),
    ("kind", "literal_error"): N_("Select the kind of organization"),
    ("name", "missing"): N_("Enter the name"),
    ("province", "missing"): N_("Enter the province or city"),
    ("tax_code", "value_error"): N_(
        "Enter a real tax code: 10 digits, or 10 digits, a dash and 3 digits for a branch. Cooperatives and enterprises must give it"
    ),
    ("tax_code", "conflict"): N_(
        "This tax code is already registered. Ask the person who manages that organization's account to invite you"
    ),
    ("phone", "value_error"): N_(
        "Enter a Vietnamese phone number, for example 0912 345 678 or +84 912 345 678"
    ),
    ("email", "string_pattern_mismatch"): N_(
        "Enter an email address in the correct format, like an.nguyen@example.vn"
    ),
    ("owner_name", "missing"): N_("Enter your full name"),
    ("owner_email", "email_or_phone"): N_(
        "Enter your email address or your phone number: you sign in with it"
    ),
    ("owner_email", "value_error"): N_(
        "Enter an email address in the correct format, like an.nguyen@example.vn"
    ),
    ("owner_email", "conflict"): N_(
        "This email address already has an account. Sign in with it, or give another one"
    ),
    ("owner_phone", "value_error"): N_(
        "Enter a Vietnamese phone number, for example 0912 345 678 or +84 912 345 678"
    ),
    ("owner_phone", "conflict"): N_(
        "This phone number already has an account. Sign in with it, or give another one"
    ),
    ("owner_password", "missing"): N_("Choose a password"),
    ("owner_password", "value_error"): N_(
        "Choose a stronger password: 10 to 128 characters, not a common password, not your email or phone number"
    ),
    ("member_ids", "choose_holders"): N_("Select at least one holder to invite"),
    ("product_ids", "choose_products"): N_("Select at least one product to show"),
    ("group", "missing"): N_("Select the product group"),
    ("gtin", "value_error"): N_(
        "Enter the 13 digits under the barcode exactly: the last digit does not match the others"
    ),
    ("list_price_vnd", "missing"): N_("Enter the list price"),
    ("list_price_vnd", "int_parsing"): N_("Enter the list price in đồng, for example 120.000"),
    ("unit", "missing"): N_("Enter the unit of sale"),
    ("count", "int_parsing"): N_("Enter the number of booths as a whole number, like 1"),
    # joining an organization with an invitation code (pages/exhibitor_signup.py)
    ("new_code", "missing"): N_("Enter the invitation code"),
    ("existing_code", "missing"): N_("Enter the invitation code"),
    ("new_code", "value_error"): N_(
        "This code does not work: it may be mistyped, used already, withdrawn or expired. Ask for a new one"
    ),
    ("existing_code", "value_error"): N_(
        "This code does not work: it may be mistyped, used already, withdrawn or expired. Ask for a new one"
    ),
    ("account_name", "missing"): N_("Enter your full name"),
    ("account_email", "email_or_phone"): N_(
        "Enter your email address or your phone number: you sign in with it"
    ),
    ("account_email", "value_error"): N_(
        "Enter an email address in the correct format, like an.nguyen@example.vn"
    ),
    ("account_email", "conflict"): N_(
        "This email address already has an account. Sign in with it, or give another one"
    ),
    ("account_phone", "value_error"): N_(
        "Enter a Vietnamese phone number, for example 0912 345 678 or +84 912 345 678"
    ),
    ("account_phone", "conflict"): N_(
        "This phone number already has an account. Sign in with it, or give another one"
    ),
    ("account_password", "missing"): N_("Choose a password"),
    ("account_password", "value_error"): N_(
        "Choose a stronger password: 10 to 128 characters, not a common password, not your email or phone number"
    ),
    ("login", "missing"): N_("Enter your email address or phone number"),
    ("login", "string_too_short"): N_("Enter your email address or phone number"),
    ("password", "missing"): N_("Enter your password"),
    ("password", "string_too_short"): N_("Enter your password"),
    ("organization_id", "value_error"): N_("Select the organization you act for"),
    ("organization_id", "missing"): N_("Select the organization you act for"),
    ("current_password", "wrong_login_or_password"): N_("Your current password is not right"),
    ("current_password", "missing"): N_("Enter your current password"),
    ("new_password", "missing"): N_("Enter a new password"),
    ("new_password", "value_error"): N_(
        "Choose a stronger password: 10 to 128 characters, not a common password, not your email or phone number"
    ),
    ("new_password_again", "mismatch"): N_("The two new passwords are not the same"),
    # organizer console: fairs and their review (pages/fairs.py, pages/review.py)
    ("fair_kind", "missing"): N_("Select the kind of event"),
    ("min_star", "missing"): N_("Select the minimum star"),
    ("min_star", "value_error"): N_("Select 3, 4 or 5 stars"),
    ("groups", "missing"): N_("Select at least one product group"),
    ("groups", "mixed_taxonomies"): N_("Select product groups of one classification only"),
    ("groups", "value_error"): N_("Select product groups of one classification only"),
    ("ends_on", "value_error"): N_("The fair must close after it opens"),
    ("ends_on", "ends_before_start"): N_("The fair must close after it opens"),
    ("applications_close_on", "window_closes_before_opening"): N_(
        "Applications must close after they open"
    ),
    ("applications_close_on", "window_closes_after_start"): N_(
        "Applications must close before the fair starts"
    ),
    ("applications_close_on", "window_closes_after_end"): N_(
        "A showroom's applications must close by its end"
    ),
    ("allocation_mode", "missing"): N_("Select how booths are given out"),
    ("allocation_mode", "literal_error"): N_("Select how booths are given out"),
    ("choice_1", "choose_a_booth"): N_("Choose at least one booth"),
    ("applications_close_on", "value_error"): N_(
        "Applications must close after they open, and before the fair starts"
    ),
    ("max_booths_per_holder", "value_error"): N_("Booths per holder must be 1 or more"),
    ("subsidy_percent", "value_error"): N_("The subsidy must be between 0 and 100 percent"),
    ("subsidy_max_booths", "value_error"): N_("Subsidised booths must be 0 or more"),
    ("application_id", "missing"): N_("Select at least one application"),
    ("review_decision", "missing"): N_("Select a decision"),
    ("review_reason", "missing"): N_("Select the reason for the refusal"),
    ("review_details", "missing"): N_("Write the reason for the refusal"),
    # organizer console: money and tills (pages/money.py, pages/tills.py)
    ("amount", "missing"): N_("Enter the amount received"),
    ("amount", "int_parsing"): N_("Enter the amount in đồng as a whole number, like 4.000.000"),
    ("amount", "greater_than"): N_("The amount must be more than 0 đồng"),
    ("amount", "less_than_equal"): N_("The amount is larger than any booth fee: check it"),
    ("payment_reference", "missing"): N_(
        "Enter the reference of the payment, like the bank transfer's number"
    ),
    ("payment_reference", "string_too_long"): N_("The reference must be 120 characters or fewer"),
    ("payment_reference", "conflict"): N_(
        "This payment (the same reference and amount) is already recorded"
    ),
    ("exhibitor_id", "not_found"): N_("This exhibitor has no booth at this fair"),
    ("statement_file", "choose_file"): N_("Choose the bank statement's CSV file"),
    ("statement_file", "too_large"): N_("The file must be smaller than 5 MB"),
    ("booth", "missing"): N_("Select the booth the till sells for"),
    ("booth", "not_found"): N_(
        "No exhibitor occupies this booth now: choose a booth that is held, assigned or confirmed"
    ),
    ("till_label", "missing"): N_("Enter a name for the till, like Quầy 1"),
    ("till_label", "string_too_long"): N_("The till's name must be 80 characters or fewer"),
    # certifying councils (pages/certifier.py)
    ("star", "missing"): N_("Select the star rating"),
    ("star", "beyond_provincial"): N_(
        "Your council decides 3★ and 4★ only: 5★ is decided by the central OCOP council"
    ),
    ("star", "beyond_central"): N_(
        "The central council decides 5★ only: 3★ and 4★ are decided by the province's OCOP council"
    ),
    ("number", "missing"): N_("Enter the certificate number"),
    ("number", "conflict"): N_("This certificate number is already recorded"),
    ("issuing_body", "missing"): N_("Enter who issued the certificate"),
    ("decision_number", "missing"): N_("Enter the decision number"),
    ("decision_date", "missing"): N_("Enter the date of the decision"),
    ("valid_from", "missing"): N_("Enter the first day of validity"),
    ("valid_from", "value_error"): N_(
        "Check the validity: a certificate runs at most 36 months from its first day"
    ),
    ("certificate_numbers", "missing"): N_("Enter at least one certificate number"),
    ("certificate_numbers", "decision_refused"): N_(
        "Nothing was revoked: %(count)s of the certificates cannot be revoked by your council"
    ),
    ("certificate_numbers", "not_found"): N_(
        "Nothing was revoked: a certificate is not among those of your jurisdiction"
    ),
    ("certificate_numbers", "conflict"): N_(
        "Nothing was revoked: a certificate is already revoked"
    ),
    ("reason", "missing"): N_("Enter the reason for revocation"),
    ("reason", "value_error"): N_("Enter the reason for revocation"),
    ("file", "missing"): N_("Choose the register file"),
    # the platform's administrators (pages/platform.py)
    ("short_name", "value_error"): N_(
        "Use lower-case letters, digits and dashes only, for example hoi-dong-ocop-quang-ninh"
    ),
    ("short_name", "conflict"): N_("This short name is already taken: choose another"),
    ("level", "missing"): N_("Select the level of the council"),
    ("level", "value_error"): N_("Select the level of the council"),
    ("province", "value_error"): N_("Enter the province or city"),
    ("find_organization", "no_such_organization"): N_("No organization has this short name"),
    # API keys (pages/organization.py)
    ("label", "missing"): N_("Enter what the key is for"),
    ("expires_in_days", "missing"): N_("Enter for how many days the key is valid"),
    ("expires_in_days", "int_parsing"): N_(
        "Enter the number of days as a whole number, from 1 to 365"
    ),
    ("expires_in_days", "greater_than_equal"): N_("A key is valid for 1 to 365 days"),
    ("expires_in_days", "less_than_equal"): N_("A key is valid for 1 to 365 days"),
    # the receiving bank account (pages/exhibitor_org.py; registration's unknown_bank and
    # bank_account_incomplete, the format of each field)
    ("bank_bin", "missing"): N_("Select the bank"),
    ("bank_bin", "bank_account_incomplete"): N_("Select the bank"),
    ("bank_bin", "unknown_bank"): N_("Select the bank from the list"),
    ("bank_bin", "value_error"): N_("Select the bank from the list"),
    ("bank_account", "missing"): N_("Enter the account number"),
    ("bank_account", "bank_account_incomplete"): N_("Enter the account number"),
    ("bank_account", "value_error"): N_(
        "Enter the account number as your bank gives it: 6 to 19 digits or letters"
    ),
    ("bank_account_name", "missing"): N_("Enter the account holder's name"),
    ("bank_account_name", "bank_account_incomplete"): N_("Enter the account holder's name"),
    ("bank_account_name", "value_error"): N_(
        "Enter the account holder's name as the bank prints it, in letters without accents, for example NGUYEN VAN AN"
    ),
    # on-site quality inspection (pages/inspector.py, issue 15)
    ("product", "missing"): N_("Select the product you inspected"),
    ("product", "not_found"): N_("This product is not exhibited at this fair"),
    ("booth_code", "missing"): N_("Enter the booth, as written on it"),
    ("finding", "missing"): N_("Write what you found"),
    ("decision", "missing"): N_("Select your decision"),
    # trade matching, visitors, fair series (pages/trade.py, visitors.py, series.py, issue 15)
    ("exhibitor", "missing"): N_("Select the exhibitor"),
    ("exhibitor", "value_error"): N_("Select an exhibitor of this fair"),
    ("contract_kind", "missing"): N_("Select whether a contract or a memorandum was signed"),
    ("contract_kind", "literal_error"): N_("Select whether a contract or a memorandum was signed"),
    ("buyer_name", "missing"): N_("Enter the buyer's name"),
    ("buyer_organization", "missing"): N_("Enter the buyer's company or organization"),
    ("buyer_country", "string_pattern_mismatch"): N_("Select the buyer's country"),
    ("buyer_contact", "missing"): N_("Enter the buyer's phone number or email address"),
    ("held_on", "missing"): N_("Enter the day of the meeting"),
    ("held_on", "value_error"): N_(
        "The meeting must be on a day of the fair, or the day before or after it"
    ),
    ("held_time", "missing"): N_("Enter the time of the meeting"),
    ("outcome", "missing"): N_("Select the outcome of the meeting"),
    ("outcome", "literal_error"): N_("Select the outcome of the meeting"),
    ("product_ids", "too_short"): N_("Select at least one product"),
    ("product_ids", "value_error"): N_(
        "Select products the exhibitor shows at this fair, each once"
    ),
    ("product_ids", "not_the_exhibitors"): N_("Select products of the exhibitor chosen"),
    ("meeting", "value_error"): N_(
        "Select one of the exhibitor's meetings at this fair, or “Not linked to a meeting”"
    ),
    ("meeting", "uuid_parsing"): N_(
        "Select one of the exhibitor's meetings at this fair, or “Not linked to a meeting”"
    ),
    ("meeting", "not_the_exhibitors"): N_(
        "Select a meeting of the exhibitor chosen, or “Not linked to a meeting”"
    ),
    ("value", "missing"): N_("Enter the value in đồng"),
    ("value", "int_parsing"): N_(
        "Enter the value in đồng as a whole number, for example 120.000.000"
    ),
    ("value", "greater_than"): N_("A contract's value must be more than 0 đồng"),
    ("value", "value_error"): N_("A contract's value must be more than 0 đồng"),
    ("signed_on", "missing"): N_("Enter the day it was signed"),
    ("day", "missing"): N_("Enter the day"),
    ("day", "value_error"): N_("Enter a day of the fair"),
    ("increment", "missing"): N_("Enter the number of visitors counted"),
    ("increment", "int_parsing"): N_(
        "Enter the number of visitors as a whole number, for example 250 or -20"
    ),
    ("increment", "not_zero"): N_("Enter a number other than 0"),
    ("increment", "value_error"): N_("Enter a number other than 0, up to 1.000.000"),
    ("increment", "greater_than_equal"): N_("Enter a number other than 0, up to 1.000.000"),
    ("increment", "less_than_equal"): N_("Enter a number other than 0, up to 1.000.000"),
    ("series_name", "missing"): N_("Enter the name of the series"),
    ("series_id", "missing"): N_("Select a series, or “In no series”"),
    ("series_id", "not_found"): N_("Select one of your series"),
    # fair kinds (pages/fair_kinds.py, issue 15)
    ("ends_on", "showroom_end"): N_(
        "Enter the last day, or tick that the showroom has no end date"
    ),
    ("host_retailer_id", "missing"): N_("Select the host retailer"),
    ("host_retailer_id", "no_such_retailer"): N_("Select the host retailer from the list"),
    ("store_codes", "missing"): N_("Select at least one of the host retailer's stores"),
    ("store_codes", "store_not_of_retailer"): N_(
        "%(store)s is not one of the host retailer's stores: select among its stores"
    ),
    ("opening_hours", "no_opening_hours"): N_(
        "Give the opening hours of at least one day of the week"
    ),
    # a retailer's stores (pages/retailer.py, issue 15)
    ("store_code", "missing"): N_("Enter the store's code"),
    ("store_code", "value_error"): N_(
        "Enter the code as your sales file names the store: up to 20 letters, digits, - or _, for example HL01"
    ),
    ("store_code", "string_too_long"): N_(
        "Enter the code as your sales file names the store: up to 20 letters, digits, - or _, for example HL01"
    ),
    ("store_code", "conflict"): N_("One of your stores has this code already"),
    ("store_name", "missing"): N_("Enter the store's name"),
    ("address", "missing"): N_("Enter the store's address"),
    ("commission_percent", "value_error"): N_(
        "The commission must be a whole percent from 0 to 50"
    ),
}


def message_id(field: str | None, code: str) -> str:
    """The catalogue's message id for an error of ``code`` on ``field``."""
    if field is not None and (field, code) in BY_FIELD:
        return BY_FIELD[(field, code)]
    return BY_CODE.get(code, FALLBACK)
