-- The exhibitor's receiving bank account (issue 13: VietQR at its tills): a NAPAS member
-- bank's BIN (domain/banks.py), the account number and the holder's name as the bank prints
-- it. Set by an owner of the exhibitor; all three or none.
alter table exhibitors
    add column bank_bin text,
    add column bank_account text,
    add column bank_account_name text,
    add constraint exhibitors_bank_all_or_none check (
        (bank_bin is null) = (bank_account is null)
        and (bank_account is null) = (bank_account_name is null)
    ),
    add constraint exhibitors_bank_bin_digits check (bank_bin ~ '^[0-9]{6}$'),
    add constraint exhibitors_bank_account_chars check (bank_account ~ '^[A-Z0-9]{6,19}$');
