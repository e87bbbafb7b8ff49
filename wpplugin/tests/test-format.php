<?php
/**
 * SMI_Format: money exact from minor units, parsing, ids.
 *
 * @package SellMyImages
 */

class Test_SMI_Format extends SMI_Test_Case {

	/**
	 * Money is formatted by ICU for the locale.
	 *
	 * @dataProvider money_cases
	 *
	 * @param int|string $minor    Amount in minor units.
	 * @param string     $currency Currency code.
	 * @param string     $expected Formatted amount.
	 */
	public function test_money_is_formatted_by_icu_for_the_locale( $minor, string $currency, string $expected ): void {
		$this->assertTrue( class_exists( 'NumberFormatter' ), 'ext-intl is loaded (scripts/deps.sh installs php-intl)' );
		$this->assertSame( $expected, str_replace( "\u{a0}", ' ', SMI_Format::money( $minor, $currency ) ) );
	}

	public function money_cases(): array {
		return array(
			'cents'          => array( 1299, 'usd', '$12.99' ),
			'one cent'       => array( 1, 'usd', '$0.01' ),
			'zero'           => array( 0, 'usd', '$0.00' ),
			'thousands'      => array( 123456789, 'usd', '$1,234,567.89' ),
			'largest column' => array( 9999999999, 'usd', '$99,999,999.99' ),
			'string input'   => array( '1050', 'eur', '€10.50' ),
			'negative'       => array( -150, 'usd', '-$1.50' ),
			'zero-decimal'   => array( 500, 'jpy', '¥500' ),
			'other symbol'   => array( 999, 'chf', 'CHF 9.99' ),
			'null'           => array( null, 'usd', '—' ),
			'garbage'        => array( '12.5', 'usd', '—' ),
		);
	}

	public function test_money_follows_the_admins_locale(): void {
		$user = $this->login( 'administrator' );
		update_user_meta( $user->ID, 'locale', 'de_DE' );
		$this->assertSame( '1.234,56 €', str_replace( "\u{a0}", ' ', SMI_Format::money( 123456, 'eur' ) ) );
		$this->assertSame( '12,99 $', str_replace( "\u{a0}", ' ', SMI_Format::money( 1299, 'usd' ) ) );
	}

	public function test_money_without_intl_is_exact_with_the_code_after(): void {
		$this->assertSame( '1,234.56 USD', SMI_Format::money_without_intl( 123456, 'usd' ) );
		$this->assertSame( '-0.05 EUR', SMI_Format::money_without_intl( -5, 'eur' ) );
		$this->assertSame( '0.00 USD', SMI_Format::money_without_intl( 0, 'usd' ) );
	}

	public function test_labels_fall_back_to_the_code(): void {
		$this->assertSame( 'Disputed', SMI_Format::payment_label( 'disputed' ) );
		$this->assertSame( 'on_hold', SMI_Format::status_label( 'on_hold' ) );
		$this->assertSame( 'Email not sent', SMI_Format::attention_label( 'email_not_sent' ) );
		$this->assertSame( 'Downloaded', SMI_Format::event_label( 'downloaded' ) );
		$this->assertSame( 'brand_new', SMI_Format::event_label( 'brand_new' ) );
		$this->assertSame( 'Reconcile with Stripe', SMI_Format::action_label( 'reconcile' ) );
	}

	public function test_when_says_ago_for_the_last_day_then_the_sites_format(): void {
		update_option( 'date_format', 'Y/m/d' );
		update_option( 'time_format', 'H:i' );
		$now = strtotime( '2026-12-04T12:00:00Z' );
		$this->assertSame( '5 mins ago', SMI_Format::when( '2026-12-04T11:55:00Z', $now ) );
		$this->assertSame( '23 hours ago', SMI_Format::when( '2026-12-03T13:00:00Z', $now ) );
		$this->assertSame( '2026/12/03 11:00', SMI_Format::when( '2026-12-03T11:00:00Z', $now ) );
		$this->assertSame( '2026/12/05 11:00', SMI_Format::when( '2026-12-05T11:00:00Z', $now ), 'the future is a date' );
		$this->assertSame( '—', SMI_Format::when( null, $now ) );
	}

	/**
	 * Parsing money reads strings only.
	 *
	 * @dataProvider parse_cases
	 *
	 * @param string   $input    What the admin typed.
	 * @param string   $currency Currency code.
	 * @param int|null $expected Minor units, or null when refused.
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

	public function test_duration(): void {
		$this->assertSame( '1 h 2 min 3 s', SMI_Format::duration( 3723 ) );
		$this->assertSame( '0 s', SMI_Format::duration( 0 ) );
		$this->assertSame( '—', SMI_Format::duration( null ) );
	}

	/**
	 * The answers datetime() remembers within a request: a changed zone,
	 * format or language is a different answer, and a bad time is none.
	 */
	public function test_datetime_follows_the_sites_zone_and_formats_within_one_request(): void {
		update_option( 'timezone_string', 'UTC' );
		update_option( 'date_format', 'Y-m-d' );
		update_option( 'time_format', 'H:i' );
		$this->assertSame( '2026-12-04 23:30', SMI_Format::datetime( '2026-12-04T23:30:00Z' ) );
		update_option( 'timezone_string', 'America/New_York' );
		$this->assertSame( '2026-12-04 18:30', SMI_Format::datetime( '2026-12-04T23:30:00Z' ) );
		update_option( 'date_format', 'F j, Y' );
		update_option( 'time_format', 'g:i a' );
		$this->assertSame( 'December 4, 2026 6:30 pm', SMI_Format::datetime( '2026-12-04T23:30:00Z' ) );
		$this->assertSame( '—', SMI_Format::datetime( 'not a time' ) );
		$this->assertSame( '—', SMI_Format::datetime( '' ) );
	}
}
