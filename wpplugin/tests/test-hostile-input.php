<?php
/**
 * Hostile strings in every field the daemon returns, through the Jobs list,
 * a job's details and the CSV export, as they are: the fake daemon's jobs
 * with every string replaced (tests/fake-daemon-hostile.php), over HTTP.
 *
 * What must hold: no markup, script, event handler or javascript: URL from a
 * field ever becomes part of the page; the values are still shown (as text);
 * the CSV reaches the browser byte for byte as a download, never as a page.
 *
 * @package SellMyImages
 */

class Test_SMI_Hostile_Input extends SMI_Test_Case {

	const JOB = '33333333-3333-4333-8333-333333333333';

	/**
	 * The hostile server's base URL.
	 *
	 * @var string
	 */
	private static string $base = '';

	/**
	 * Its process.
	 *
	 * @var resource|null
	 */
	private static $proc = null;

	public static function setUpBeforeClass(): void {
		$probe = stream_socket_server( 'tcp://127.0.0.1:0' );
		$port  = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		self::$proc = proc_open(
			array( PHP_BINARY, '-S', '127.0.0.1:' . $port, __DIR__ . '/fake-daemon-hostile.php' ),
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', '/dev/null', 'w' ),
				2 => array( 'file', '/dev/null', 'w' ),
			),
			$pipes,
			null,
			array( 'SMI_FAKE_SECRET' => 'test-secret' ) + getenv()
		);
		for ( $i = 0; $i < 50; $i++ ) {
			if ( @fsockopen( '127.0.0.1', $port ) ) { // phpcs:ignore Generic.PHP.NoSilencedErrors, WordPress.PHP.NoSilencedErrors -- refused until the server is up.
				break;
			}
			usleep( 100000 );
		}
		self::$base = 'http://127.0.0.1:' . $port;
	}

	public static function tearDownAfterClass(): void {
		if ( self::$proc ) {
			proc_terminate( self::$proc );
			proc_close( self::$proc );
		}
	}

	private function hostile_client( string $mode ): SMI_Daemon_Client {
		$this->real_http = true;
		return new SMI_Daemon_Client( self::$base . '/h/' . $mode, 'test-secret' );
	}

	/**
	 * The Jobs screen as an administrator sees it (list, or details with $job).
	 *
	 * @param string $mode The hostile daemon's mode: ids|all|long.
	 * @param string $job  Job ID for the details page; '' for the list.
	 */
	private function screen( string $mode, string $job = '' ): string {
		$this->login( 'administrator' );
		$client = $this->hostile_client( $mode );
		$_GET   = '' === $job ? array() : array( 'job' => $job );
		$page   = new SMI_Admin_Jobs_Page( $client, new SMI_Job_Actions( $client ) );
		ob_start();
		$page->render();
		return (string) ob_get_clean();
	}

	/**
	 * Asserts no hostile value became markup, and returns the page's text.
	 *
	 * @param string $html  The page.
	 * @param string $where What the page is, for failure messages.
	 */
	private function assert_inert( string $html, string $where ): string {
		$this->assertStringNotContainsString( 'smi_xss(2)</script>', $html, $where . ': a raw script tag' );
		$doc = new DOMDocument();
		libxml_use_internal_errors( true );
		$doc->loadHTML( '<?xml encoding="utf-8"?><div id="smi-root">' . $html . '</div>' );
		libxml_clear_errors();
		$xpath = new DOMXPath( $doc );
		foreach ( $xpath->query( '//script' ) as $script ) {
			$this->assertStringNotContainsString( 'smi_xss', $script->textContent, $where . ': a field inside a script element' );
		}
		$this->assertSame( 0, $xpath->query( '//img[@src="x"]' )->length, $where . ': an injected element' );
		foreach ( $xpath->query( '//@*' ) as $attr ) {
			$name  = strtolower( $attr->nodeName );
			$value = strtolower( trim( $attr->nodeValue ) );
			if ( 0 === strpos( $name, 'on' ) ) {
				$this->assertStringNotContainsString( 'smi_xss', $value, "$where: a field in the $name handler" );
			}
			if ( in_array( $name, array( 'href', 'src', 'action', 'formaction', 'srcset', 'poster' ), true ) ) {
				$this->assertStringStartsNotWith( 'javascript:', preg_replace( '/[\x00-\x20]+/', '', $value ), "$where: a javascript: URL in $name" );
			}
		}
		return (string) $xpath->query( '//*[@id="smi-root"]' )->item( 0 )->textContent;
	}

	/**
	 * Fields whose hostile value is shown as text.
	 *
	 * @param string $text The page's text.
	 */
	private function shown_fields( string $text ): array {
		preg_match_all( '/<!--\[([a-z_]+)\]/', $text, $m );
		return array_values( array_unique( $m[1] ) );
	}

	public function test_the_list_shows_hostile_values_as_text_only(): void {
		$html = $this->screen( 'ids' );
		$this->assertStringContainsString( 'id="smi-jobs-table"', $html );
		$this->assertSame( 3, substr_count( $html, 'class="smi-job-row' ), 'every row rendered' );
		$text  = $this->assert_inert( $html, 'list' );
		$shown = $this->shown_fields( $text );
		$this->assertContains( 'email', $shown, 'the list shows the email as text: ' . implode( ', ', $shown ) );
		$this->assertStringContainsString( '"\'><script>smi_xss(2)</script>', $text, 'the value is shown, escaped, not dropped' );
	}

	public function test_the_list_survives_hostile_job_ids_and_10_kb_values(): void {
		$this->assert_inert( $this->screen( 'all' ), 'list with hostile ids' );
		$html = $this->screen( 'long' );
		$this->assertSame( 3, substr_count( $html, 'class="smi-job-row' ) );
		$this->assert_inert( $html, 'list with 10 kB values' );
	}

	public function test_details_show_hostile_values_as_text_only(): void {
		$html = $this->screen( 'ids', self::JOB );
		$this->assertStringContainsString( 'id="smi-job-details"', $html );
		$this->assertStringNotContainsString( 'id="smi-daemon-error"', $html );
		$text  = $this->assert_inert( $html, 'details' );
		$shown = $this->shown_fields( $text );
		foreach ( array( 'email', 'last_error', 'reason', 'message' ) as $field ) {
			$this->assertContains( $field, $shown, "details show $field as text; shown: " . implode( ', ', $shown ) );
		}
		$this->assert_inert( $this->screen( 'long', self::JOB ), 'details with 10 kB values' );
		$this->assert_inert( $this->screen( 'all', self::JOB ), 'details with a hostile job id' );
	}

	public function test_the_csv_is_relayed_byte_for_byte_as_a_download(): void {
		$this->real_http = true;

		$direct   = wp_remote_get(
			self::$base . '/h/long/v1/jobs/export.csv',
			array( 'headers' => array( 'Authorization' => 'Bearer test-secret' ) )
		);
		$expected = wp_remote_retrieve_body( $direct );
		$this->assertGreaterThan( 3 * 5 * 10240, strlen( $expected ), 'five 10 kB cells per row' );
		$this->assertStringContainsString( "\u{202E}", $expected );

		$this->login( 'administrator' );
		$relay  = new SMI_Hostile_Relay( $this->hostile_client( 'long' ) );
		$export = new SMI_Export( $relay );
		ob_start();
		$export->export( array( '_wpnonce' => wp_create_nonce( 'smi_export' ) ) );
		$csv = (string) ob_get_clean();

		$this->assertSame( 200, $relay->status );
		$this->assertSame( md5( $expected ), md5( $csv ), 'the relay changes no byte' );
		$headers = implode( "\n", $relay->headers );
		$this->assertStringContainsString( 'Content-Type: text/csv', $headers );
		$this->assertMatchesRegularExpression( '/^Content-Disposition: attachment; filename="smi-jobs-[0-9-]+\.csv"$/m', $headers, 'a download, never rendered as a page' );
		$this->assertStringContainsString( 'X-Content-Type-Options: nosniff', $headers );

		$rows = array_map( 'str_getcsv', explode( "\n", trim( $csv ) ) );
		$this->assertCount( 4, $rows, 'quotes and new lines inside values do not break rows' );
		$this->assertSame( 10240, strlen( $rows[1][1] ) );
	}
}

/**
 * A relay that records headers instead of sending them.
 */
class SMI_Hostile_Relay extends SMI_Passthrough {
	public int $status    = 0;
	public array $headers = array();

	protected function begin_output(): void {}

	protected function send_status( int $status ): void {
		$this->status = $status;
	}

	protected function send_header( string $line ): void {
		$this->headers[] = $line;
	}

	protected function write( string $chunk ): void {
		echo $chunk; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the CSV under test.
	}
}
