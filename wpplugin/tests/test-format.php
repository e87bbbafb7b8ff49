<?php
/**
 * SMI_Format: money exact from minor units, parsing, ids.
 *
 * @package SellMyImages
 */

class Test_SMI_Format extends SMI_Test_Case {

	/**
	 * @dataProvider money_cases
	 */
	public function test_money_is_exact_from_minor_units( $minor, string $currency, string $expected ): void {
		$this->assertSame( $expected, SMI_Format::money( $minor, $currency ) );
	}

	public function money_cases(): array {
		return array(
			'cents'           => array( 1299, 'usd', '$12.99' ),
			'one cent'        => array( 1, 'usd', '$0.01' ),
			'zero'            => array( 0, 'usd', '$0.00' ),
			'thousands'       => array( 123456789, 'usd', '$1,234,567.89' ),
			'no float drift'  => array( 1000000000000001, 'usd', '$10,000,000,000,000.01' ),
			'string input'    => array( '1050', 'eur', '€10.50' ),
			'negative'        => array( -150, 'usd', '-$1.50' ),
			'zero-decimal'    => array( 500, 'jpy', '¥500' ),
			'three-decimal'   => array( 12345, 'kwd', '12.345 KWD' ),
			'unknown symbol'  => array( 999, 'chf', '9.99 CHF' ),
			'null'            => array( null, 'usd', '—' ),
			'garbage'         => array( '12.5', 'usd', '—' ),
		);
	}

	/**
	 * @dataProvider parse_cases
	 */
	public function test_parse_money_uses_strings_only( string $input, string $currency, $expected ): void {
		$result = SMI_Format::parse_money( $input, $currency );
		if ( null === $expected ) {
			$this->assertInstanceOf( WP_Error::class, $result );
			return;
		}
		$this->assertSame( $expected, $result );
	}

	public function parse_cases(): array {
		return array(
			array( '12.34', 'usd', 1234 ),
			array( '12.3', 'usd', 1230 ),
			array( '12', 'usd', 1200 ),
			array( '0.29', 'usd', 29 ), // 0.29 * 100 is 28.999999999999996 as a float.
			array( '19,99', 'eur', 1999 ),
			array( '12.50', 'usd', 1250 ),
			array( '12.340', 'usd', 1234 ),
			array( '500', 'jpy', 500 ),
			array( '1.5', 'jpy', null ),
			array( '12.345', 'usd', null ),
			array( '-5', 'usd', null ),
			array( '$5', 'usd', null ),
			array( '1,000.00', 'usd', null ),
			array( '', 'usd', null ),
		);
	}

	public function test_decimal_string_round_trips(): void {
		$this->assertSame( '12.99', SMI_Format::decimal_string( 1299 ) );
		$this->assertSame( '0.05', SMI_Format::decimal_string( 5 ) );
		$this->assertSame( '500', SMI_Format::decimal_string( 500, 'jpy' ) );
		$this->assertSame( 29, SMI_Format::parse_money( SMI_Format::decimal_string( 29 ) ) );
	}

	public function test_uuid_validation(): void {
		$this->assertTrue( SMI_Format::is_uuid( '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc' ) );
		$this->assertFalse( SMI_Format::is_uuid( '0B6F3C9E-1D2A-4C5B-8E7F-123456789ABC' ) );
		$this->assertFalse( SMI_Format::is_uuid( '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc/../x' ) );
		$this->assertFalse( SMI_Format::is_uuid( array() ) );
	}

	public function test_refundable_is_charged_minus_refunded_when_captured(): void {
		$this->assertSame( 999, SMI_Format::refundable( array( 'payment_status' => 'partially_refunded', 'amount_charged' => 1299, 'refund_amount' => 300 ) ) );
		$this->assertSame( 0, SMI_Format::refundable( array( 'payment_status' => 'pending', 'amount_charged' => 1299, 'refund_amount' => 0 ) ) );
		$this->assertSame( 0, SMI_Format::refundable( array( 'payment_status' => 'refunded', 'amount_charged' => 1299, 'refund_amount' => 1299 ) ) );
	}

	public function test_duration(): void {
		$this->assertSame( '1 h 2 min 3 s', SMI_Format::duration( 3723 ) );
		$this->assertSame( '0 s', SMI_Format::duration( 0 ) );
		$this->assertSame( '—', SMI_Format::duration( null ) );
	}
}
