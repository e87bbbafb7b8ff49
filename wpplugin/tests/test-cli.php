<?php
/**
 * `wp smi status` and `wp smi jobs …`, run through tests/wp-cli-standin.php
 * (WP-CLI itself is not installable here) against the fake daemon over HTTP.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/wp-cli-standin.php';
require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli.php';
require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli-jobs.php';

class Test_SMI_CLI extends SMI_Test_Case {

	const DONE   = '11111111-1111-4111-8111-111111111111';
	const FAILED = '33333333-3333-4333-8333-333333333333';

	protected function setUp(): void {
		parent::setUp();
		WP_CLI::reset();
	}

	/**
	 * Runs a command method; returns its output and exit code (0 unless it stopped).
	 *
	 * @param object $command The command object.
	 * @param string $method  Its subcommand method.
	 * @param array  $args    Positional arguments.
	 * @param array  $assoc   Options.
	 * @return array{0:string,1:int}
	 */
	private function run_cli( object $command, string $method, array $args = array(), array $assoc = array() ): array {
		ob_start();
		$code = 0;
		try {
			$command->$method( $args, $assoc );
		} catch ( WP_CLI\ExitException $e ) {
			$code = $e->getCode();
		}
		return array( (string) ob_get_clean(), $code );
	}

	private function jobs(): SMI_CLI_Jobs {
		return new SMI_CLI_Jobs( $this->fake_daemon_client() );
	}

	public function test_commands_are_registered_under_smi(): void {
		SMI_CLI::register();
		$this->assertSame( 'SMI_CLI', WP_CLI::$commands['smi'] );
		$this->assertSame( 'SMI_CLI_Jobs', WP_CLI::$commands['smi jobs'] );
		$methods = array_map( fn( $m ) => $m->name, ( new ReflectionClass( 'SMI_CLI_Jobs' ) )->getMethods( ReflectionMethod::IS_PUBLIC ) );
		$this->assertEqualsCanonicalizing( array( '__construct', 'list_', 'get', 'retry', 'refund', 'export' ), $methods, 'every public method is a subcommand' );
		$this->assertStringContainsString( '@subcommand list', ( new ReflectionMethod( 'SMI_CLI_Jobs', 'list_' ) )->getDocComment() );
	}

	public function test_list_as_json_csv_ids_and_count(): void {
		list( $json, $code ) = $this->run_cli( $this->jobs(), 'list_', array(), array( 'format' => 'json' ) );
		$this->assertSame( 0, $code );
		$rows = json_decode( $json, true );
		$this->assertCount( 3, $rows );
		$this->assertSame( array( 'job_id', 'created_at', 'status', 'payment_status', 'amount', 'email', 'resolution' ), array_keys( $rows[0] ) );
		$this->assertSame( self::DONE, $rows[0]['job_id'] );
		$this->assertSame( '$12.99', $rows[0]['amount'] );

		list( $csv ) = $this->run_cli( $this->jobs(), 'list_', array(), array( 'format' => 'csv', 'fields' => 'job_id,amount_charged,currency' ) );
		$lines       = array_map( 'str_getcsv', array_filter( explode( "\n", $csv ) ) );
		$this->assertSame( array( 'job_id', 'amount_charged', 'currency' ), $lines[0] );
		$this->assertSame( array( self::DONE, '1299', 'usd' ), $lines[1] );

		list( $ids ) = $this->run_cli( $this->jobs(), 'list_', array(), array( 'format' => 'ids', 'status' => 'failed' ) );
		$this->assertSame( self::FAILED, trim( $ids ) );

		list( $count ) = $this->run_cli( $this->jobs(), 'list_', array(), array( 'format' => 'count', 'status' => 'completed,failed' ) );
		$this->assertSame( '2', trim( $count ) );
	}

	public function test_list_sends_the_filters_to_the_daemon(): void {
		$this->respond( fn() => $this->json( 200, array( 'jobs' => array(), 'total' => 0 ) ) );
		$cli = new SMI_CLI_Jobs( $this->client() );
		$this->run_cli( $cli, 'list_', array(), array( 'status' => 'failed', 'payment_status' => 'refunded', 'search' => '@example.com', 'created_from' => '2026-11-01', 'orderby' => 'paid_at', 'order' => 'asc', 'per_page' => '20', 'page' => '2', 'bogus' => 'x' ) );
		parse_str( (string) wp_parse_url( $this->last_request()['url'], PHP_URL_QUERY ), $query );
		$this->assertSame( array( 'status' => 'failed', 'payment_status' => 'refunded', 'created_from' => '2026-11-01', 'orderby' => 'paid_at', 'order' => 'asc', 'q' => '@example.com', 'per_page' => '20', 'page' => '2' ), $query );
	}

	public function test_list_reports_the_daemons_refusal_as_an_error(): void {
		$this->respond( fn() => $this->json( 400, array( 'error' => array( 'code' => 'invalid', 'message' => 'status: unknown value "nope"', 'param' => 'status' ) ) ) );
		list( $out, $code ) = $this->run_cli( new SMI_CLI_Jobs( $this->client() ), 'list_', array(), array( 'status' => 'nope' ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'Error: status: unknown value "nope"', $out );
	}

	public function test_get_shows_a_job_and_one_field(): void {
		list( $json ) = $this->run_cli( $this->jobs(), 'get', array( self::FAILED ), array( 'format' => 'json' ) );
		$job          = json_decode( $json, true );
		$this->assertSame( 'failed', $job['status'] );
		$this->assertSame( 'upsampler said no', $job['last_error'] );
		$this->assertSame( 300, $job['refund_total'] );
		$this->assertSame( 999, $job['refund_remaining'] );
		$this->assertSame( 'pending,failed', $job['allowed_status_moves'] );

		list( $field ) = $this->run_cli( $this->jobs(), 'get', array( self::DONE ), array( 'field' => 'download_token_state' ) );
		$this->assertSame( 'active', trim( $field ) );
	}

	public function test_get_refuses_a_bad_id_and_an_unknown_job(): void {
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'get', array( '1; DROP TABLE' ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'is not a job ID', $out );

		list( $out, $code ) = $this->run_cli( $this->jobs(), 'get', array( '99999999-9999-4999-8999-999999999999' ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'job not found', $out );
	}

	public function test_retry_each_job_and_fail_when_one_fails(): void {
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'retry', array( self::FAILED, self::DONE ), array( 'reason' => 'outage' ) );
		$this->assertSame( 0, $code );
		$this->assertStringContainsString( self::FAILED . ': queued (pending), about 4 credits.', $out );
		$this->assertStringContainsString( 'Success: Retried 2 jobs.', $out );

		$this->real_http = false;
		$this->respond(
			function ( $url ) {
				return false !== strpos( $url, self::DONE )
					? $this->json( 409, array( 'error' => array( 'code' => 'conflict', 'message' => 'an upscale is running' ) ) )
					: $this->json( 200, array( 'status' => 'pending', 'credits_estimate' => 4 ) );
			}
		);
		list( $out, $code ) = $this->run_cli( new SMI_CLI_Jobs( $this->client() ), 'retry', array( self::FAILED, self::DONE ), array( 'force' => true ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'Warning: ' . self::DONE . ': an upscale is running', $out );
		$this->assertStringContainsString( 'Error: Retried 1 of 2 jobs.', $out );
		$this->assertSame( array( 'force' => true, 'allow_unpaid' => false ), $this->body_of( $this->requests[0] ) );
	}

	public function test_refund_asks_first_and_sends_nothing_when_declined(): void {
		$this->respond( fn() => $this->json( 200, array( 'job' => $this->job( array( 'job_id' => self::DONE ) ), 'refunds' => array( 'remaining' => 1299 ) ) ) );
		WP_CLI::$answers    = array( 'n' );
		list( $out, $code ) = $this->run_cli( new SMI_CLI_Jobs( $this->client() ), 'refund', array( self::DONE ), array( 'reason' => 'asked', 'amount' => '5' ) );
		$this->assertSame( 0, $code );
		$this->assertSame( array( 'Refund $5.00 of $12.99 left to buyer@example.com for job ' . self::DONE . '? This cannot be undone.' ), WP_CLI::$asked );
		$this->assertCount( 1, $this->requests, 'only the job was read' );
		$this->assertStringNotContainsString( 'Success', $out );
	}

	public function test_refund_with_yes_sends_the_amount_and_an_idempotency_key(): void {
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'refund', array( self::DONE ), array( 'reason' => 'asked', 'amount' => '5.00', 'yes' => true ) );
		$this->assertSame( 0, $code, $out );
		$this->assertSame( array(), WP_CLI::$asked );
		$this->assertStringContainsString( 'Success: Refund of $5.00 sent to Stripe (succeeded).', $out );

		WP_CLI::$answers = array( 'y' );
		$this->real_http = false;
		$this->respond(
			fn( $url, $args ) => 'POST' === $args['method']
				? $this->json( 200, array( 'refund' => array( 'amount' => 1299, 'currency' => 'usd', 'status' => 'pending' ), 'remaining' => 0 ) )
				: $this->json( 200, array( 'job' => $this->job( array( 'job_id' => self::DONE ) ), 'refunds' => array( 'remaining' => 1299 ) ) )
		);
		list( $out, $code ) = $this->run_cli( new SMI_CLI_Jobs( $this->client() ), 'refund', array( self::DONE ), array( 'reason' => 'asked' ) );
		$this->assertSame( 0, $code );
		$post = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/jobs/' . self::DONE . '/refunds', $post['url'] );
		$this->assertSame( array( 'reason' => 'asked' ), $this->body_of( $post ), 'no amount: a full refund' );
		$this->assertMatchesRegularExpression( '/^[0-9a-f-]{36}$/', $post['args']['headers']['Idempotency-Key'] );
		$this->assertStringContainsString( 'Refund of $12.99 sent to Stripe (pending). Still refundable: $0.00.', $out );
	}

	public function test_refund_refuses_without_reason_or_with_a_bad_amount(): void {
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'refund', array( self::DONE ), array( 'yes' => true ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( '--reason', $out );
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'refund', array( self::DONE ), array( 'reason' => 'x', 'amount' => '5.001', 'yes' => true ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'too many decimal places', $out );
	}

	public function test_export_streams_the_daemons_csv_to_a_file_or_stdout(): void {
		$file               = wp_tempnam( 'smi-cli-export' );
		list( $out, $code ) = $this->run_cli( $this->jobs(), 'export', array(), array( 'file' => $file, 'status' => 'failed', 'search' => '@x.com' ) );
		$csv                = (string) file_get_contents( $file );
		unlink( $file );
		$this->assertSame( 0, $code, $out );
		$this->assertStringStartsWith( "job_id,status,email\n# query: status=failed&q=%40x.com\n", $csv );
		$this->assertStringContainsString( self::FAILED . ',failed,fail@example.com', $csv );
		$this->assertStringContainsString( 'Success: Wrote ' . strlen( $csv ) . ' bytes', $out );

		list( $out ) = $this->run_cli( $this->jobs(), 'export' );
		$this->assertStringStartsWith( "job_id,status,email\n", $out );
		$this->assertSame( 5, substr_count( $out, "\n" ) );
	}

	public function test_export_fails_loudly_on_a_daemon_error(): void {
		$client             = new SMI_Daemon_Client( (string) getenv( 'SMI_FAKE_DAEMON_URL' ), 'wrong-secret' );
		list( $out, $code ) = $this->run_cli( new SMI_CLI_Jobs( $client ), 'export' );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'Error: The daemon answered HTTP 401: bad secret', $out );
		$this->assertStringNotContainsString( 'job_id', $out );
	}

	public function test_status_against_the_fake_daemon(): void {
		list( $out, $code ) = $this->run_cli( new SMI_CLI( $this->fake_daemon_client() ), 'status', array(), array( 'format' => 'json' ) );
		$this->assertSame( 0, $code );
		$status = json_decode( $out, true );
		$this->assertSame( 'fake-1.0', $status['version'] );
		$this->assertSame( '3/3 current', $status['schema'] );
		$this->assertSame( 'test', $status['stripe_mode'] );
		$this->assertSame( 'configured', $status['pipeline'] );
	}

	public function test_status_warns_when_the_pipeline_is_off_and_errors_when_down(): void {
		$this->respond(
			fn( $url ) => false !== strpos( $url, '/v1/system' )
				? $this->json( 200, array( 'version' => '2', 'schema' => array( 'current' => true, 'applied' => 9, 'latest' => 9 ), 'stripe_mode' => 'live', 'stripe_configured' => false, 'upscaler_configured' => true, 'mail_configured' => true ) )
				: $this->json( 500, array() )
		);
		list( $out, $code ) = $this->run_cli( new SMI_CLI( $this->client() ), 'status' );
		$this->assertSame( 0, $code );
		$this->assertStringContainsString( "pipeline\tnot configured: stripe", $out );
		$this->assertStringContainsString( 'Warning: The daemon cannot take orders', $out );

		$this->respond( fn() => new WP_Error( 'http_request_failed', 'Connection refused' ) );
		list( $out, $code ) = $this->run_cli( new SMI_CLI( $this->client() ), 'status' );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'Connection refused', $out );
	}

	/**
	 * Every option a command reads is in its docblock synopsis (real WP-CLI
	 * refuses options it does not list), and every synopsis line has
	 * WP-CLI's grammar.
	 */
	public function test_synopses_declare_every_option_the_commands_read(): void {
		$methods = array(
			array( 'SMI_CLI', 'status' ),
			array( 'SMI_CLI_Jobs', 'list_' ),
			array( 'SMI_CLI_Jobs', 'get' ),
			array( 'SMI_CLI_Jobs', 'retry' ),
			array( 'SMI_CLI_Jobs', 'refund' ),
			array( 'SMI_CLI_Jobs', 'export' ),
		);
		foreach ( $methods as list( $class, $name ) ) {
			$method = new ReflectionMethod( $class, $name );
			$doc    = (string) $method->getDocComment();
			$this->assertSame( 1, preg_match( '/## OPTIONS\s*\n(.*?)(\n\s*\*\s*## |\n\s*\*\s*@)/s', $doc, $m ), "$name has an OPTIONS section" );
			$declared = array();
			$in_yaml  = false;
			foreach ( explode( "\n", $m[1] ) as $line ) {
				$line = preg_replace( '/^\s*\*\s?/', '', $line );
				if ( '---' === trim( $line ) ) {
					$in_yaml = ! $in_yaml;
					continue;
				}
				if ( $in_yaml || '' === trim( $line ) || 0 === strpos( $line, ': ' ) ) {
					continue;
				}
				$this->assertSame( 1, preg_match( '/^(\[)?(--([a-z][a-z0-9_-]*)(=<[a-z_]+>)?|<([a-z_]+)>(\.\.\.)?)(?(1)\])$/', $line, $o ), "$name: WP-CLI synopsis line: $line" );
				if ( ! empty( $o[3] ) ) {
					$declared[] = $o[3];
				}
			}
			$lines  = array_slice( file( $method->getFileName() ), $method->getStartLine(), $method->getEndLine() - $method->getStartLine() );
			$source = implode( '', $lines );
			preg_match_all( '/\$assoc_args\[\s*\'([a-z_-]+)\'\s*\]|get_flag_value\(\s*\$assoc_args,\s*\'([a-z_-]+)\'/', $source, $used );
			$read = array_filter( array_merge( $used[1], $used[2] ) );
			if ( false !== strpos( $source, '$this->filters( $assoc_args )' ) ) {
				$read = array_merge( $read, SMI_CLI_Jobs::FILTERS, array( 'search' ) );
			}
			if ( false !== strpos( $source, 'WP_CLI::confirm(' ) ) {
				$read[] = 'yes';
			}
			if ( false !== strpos( $source, 'Formatter( $assoc_args' ) ) {
				$read[] = 'format';
			}
			foreach ( array_unique( $read ) as $option ) {
				$this->assertContains( $option, $declared, "$class::$name reads --$option" );
			}
		}
	}
}
