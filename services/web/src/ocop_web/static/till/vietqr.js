// A dynamic VietQR (NAPAS, EMVCo merchant-presented QR): the same algorithm as booths'
// vietqr_payload (services/booths/src/ocop_booths/domain/fees.py), tested against it.

const NAPAS_GUID = "A000000727";
const SERVICE_TO_ACCOUNT = "QRIBFTTA";

export class InvalidField extends Error {
  constructor(field, message) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** CRC-16/CCITT-FALSE of bytes (poly 0x1021, initial 0xFFFF). */
export function crc16(bytes) {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
      crc &= 0xffff;
    }
  }
  return crc;
}

function tlv(tag, value) {
  const length = [...value].length;
  if (length > 99) throw new InvalidField(tag, "an EMVCo field holds at most 99 characters");
  return `${tag}${String(length).padStart(2, "0")}${value}`;
}

/** The payload for a transfer of amountVnd to account at the bank bankBin, purpose the
 * payment code (ASCII letters, digits, space, - . _; at most 25). */
export function vietqrPayload({ bankBin, account, amountVnd, purpose }) {
  if (!/^[0-9]{6}$/.test(bankBin)) throw new InvalidField("bank_bin", "a bank BIN has 6 digits");
  const chars = [...account];
  if (!(chars.length >= 1 && chars.length <= 19 && chars.every((c) => /^[\p{L}\p{N}]$/u.test(c)))) {
    throw new InvalidField("account", "1 to 19 letters or digits");
  }
  if (!Number.isInteger(amountVnd) || amountVnd <= 0) {
    throw new InvalidField("amount_vnd", "must be positive");
  }
  const cleaned = [...purpose].filter((c) => /^[A-Za-z0-9 \-._]$/.test(c)).slice(0, 25).join("");
  const beneficiary = tlv("00", bankBin) + tlv("01", account);
  const merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT);
  const body =
    tlv("00", "01") +
    tlv("01", "12") + // dynamic: one amount, one payment
    tlv("38", merchant) +
    tlv("53", "704") +
    tlv("54", String(amountVnd)) +
    tlv("58", "VN") +
    tlv("62", tlv("08", cleaned)) +
    "6304";
  const crc = crc16(new TextEncoder().encode(body));
  return body + crc.toString(16).toUpperCase().padStart(4, "0");
}
