/** Reading a package barcode for the right-medicine check: GTIN forms, GS1 element strings, site codes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readProductBarcode, sameProduct } from '../../src/domain/productBarcode';

const GS = '\u001d';

describe('package barcodes', () => {
  it('read an EAN-13 as the same product as its GTIN-14 with a leading zero', () => {
    expect(sameProduct('5012345678900', '05012345678900')).toBe(true);
    expect(sameProduct('05012345678900', '5012345678900')).toBe(true);
    expect(readProductBarcode('5012345678900')).toMatchObject({ gtin: '05012345678900', format: 'gtin' });
    expect(sameProduct('5012345678917', '05012345678900')).toBe(false);
  });

  it('read GTIN-8 and UPC-A padded to GTIN-14', () => {
    expect(readProductBarcode('96385074')?.gtin).toBe('00000096385074');
    expect(readProductBarcode('036000291452')?.gtin).toBe('00036000291452');
  });

  it('read the GTIN of a GS1 DataMatrix element string, with expiry, batch and serial', () => {
    const scan = `]d20105012345678900172712311000AB12${GS}21SN998877`;
    expect(readProductBarcode(scan)).toEqual({
      gtin: '05012345678900',
      expiry: '2027-12-31',
      batch: '00AB12',
      serial: 'SN998877',
      key: '05012345678900',
      format: 'gs1',
    });
    expect(sameProduct(scan, '05012345678900')).toBe(true);
    expect(sameProduct(scan, '5012345678900')).toBe(true);
  });

  it('read an element string whose GTIN is not first, and one whose separators the keyboard wedge lost after the GTIN', () => {
    expect(readProductBarcode(`10LOT7${GS}17270600` + '0105012345678900')).toMatchObject({
      gtin: '05012345678900',
      batch: 'LOT7',
      expiry: '2027-06-30',
    });
    expect(readProductBarcode('010501234567890017271231')?.gtin).toBe('05012345678900');
  });

  it('read the bracketed human-readable form', () => {
    expect(readProductBarcode('(01)05012345678900(17)280229(10)AB-1')).toMatchObject({
      gtin: '05012345678900',
      expiry: '2028-02-29',
      batch: 'AB-1',
    });
  });

  it("read day 00 of an expiry as the month's last day, and ignore an impossible one", () => {
    expect(readProductBarcode('(01)05012345678900(17)270200')?.expiry).toBe('2027-02-28');
    expect(readProductBarcode('(01)05012345678900(17)271332')?.expiry).toBeNull();
  });

  it('drop the AIM symbology prefix of a plain EAN-13', () => {
    expect(readProductBarcode(']E05012345678900')?.gtin).toBe('05012345678900');
  });

  it("compare a site's own code as text, ignoring case and outer spaces", () => {
    expect(sameProduct(' pc-amox-500 ', 'PC-AMOX-500')).toBe(true);
    expect(sameProduct('PC-AMOX-250', 'PC-AMOX-500')).toBe(false);
    expect(readProductBarcode('   ')).toBeNull();
    expect(sameProduct('', '')).toBe(false);
  });

  it('give every form of a GTIN the same key (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{13}$/), fc.stringMatching(/^[A-Z0-9]{1,20}$/), (ean, lot) => {
        const g14 = `0${ean}`;
        for (const form of [ean, g14, `]d201${g14}10${lot}`, `(01)${g14}(10)${lot}`, `]C110${lot}${GS}01${g14}`]) {
          expect(sameProduct(form, ean), form).toBe(true);
        }
      }),
    );
  });
});
