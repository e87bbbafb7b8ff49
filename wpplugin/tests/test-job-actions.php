<?php
/**
 * SMI_Job_Actions, SMI_Export, SMI_Admin_Ajax: refusals and daemon calls.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-jobs-test-case.php';

class Test_SMI_Job_Actions extends SMI_Jobs_Test_Case {

	const JOB = '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc';

	private function actions(): SMI_Job_Actions {
		return new SMI_Job_Actions( $this->client(), $this->system() );
	}

	private function request_for( string $action, array $extra = array() ): array {
		return array_merge(
			array(
				'job_id'   => self::JOB,
				'_wpnonce' => wp_create_nonce( "smi_{$action}::" . self::JOB ),
			),
			$extra
		);
	}

	private function expect_die( callable $fn, int $status ): SMI_Test_Die {
		try {
			$fn();
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( $status, $die->status );
			$this->assertEmpty( $this->actions_sent(), 'nothing may reach the daemon' );
			return $die;
		}
		$this->fail( 'expected wp_die' );
	}

	/**
	 * Requests that ask the daemon to do something (everything but the
	 * cached read of /v1/system).
	 */
	private function actions_sent(): array {
		return array_values( array_filter( $this->requests, fn( $r ) => '/v1/system' !== wp_parse_url( $r['url'], PHP_URL_PATH ) ) );
	}

	public function action_names(): array {
		return array_map( fn( $a ) => array( $a ), array_keys( SMI_Job_Actions::ACTIONS ) );
	}

	/**
	 * A subscriber is refused every action.
	 *
	 * @dataProvider action_names
	 *
	 * @param string $action Action name.
	 */
	public function test_subscriber_is_refused( string $action ): void {
		$this->login( 'subscriber' );
		$this->expect_die( fn() => $this->actions()->process( $action, $this->request_for( $action, array( 'reason' => 'r', 'status' => 'failed', 'idempotency_key' => wp_generate_uuid4() ) ) ), 403 );
	}

	/**
	 * A bad nonce is refused for every action.
	 *
	 * @dataProvider action_names
	 *
	 * @param string $action Action name.
	 */
	public function test_bad_nonce_is_refused( string $action ): void {
		$this->login( 'administrator' );
		$req = $this->request_for( $action, array( 'reason' => 'r', 'status' => 'failed', 'idempotency_key' => wp_generate_uuid4() ) );

		$req['_wpnonce'] = 'deadbeef00';
		$this->expect_die( fn() => $this->actions()->process( $action, $req ), 403 );
	}

	/**
	 * Another job's nonce is refused for every action.
	 *
	 * @dataProvider action_names
	 *
	 * @param string $action Action name.
	 */
	public function test_nonce_of_another_job_is_refused( string $action ): void {
		$this->login( 'administrator' );
		$req             = $this->request_for( $action );
		$req['_wpnonce'] = wp_create_nonce( "smi_{$action}::11111111-1111-4111-8111-111111111111" );
		$this->expect_die( fn() => $this->actions()->process( $action, $req ), 403 );
	}

	public function test_invalid_job_id_is_refused(): void {
		$this->login( 'administrator' );
		$this->expect_die( fn() => $this->actions()->process( 'retry', array( 'job_id' => '../../v1/system', '_wpnonce' => wp_create_nonce( 'smi_retry::../../v1/system' ) ) ), 400 );
	}

	public function test_capability_is_filterable(): void {
		$this->login( 'editor' );
		$this->assertFalse( current_user_can( 'smi_manage_jobs' ) );
		add_filter( 'smi_jobs_capability', fn() => 'edit_others_posts' );
		$this->assertTrue( current_user_can( 'smi_manage_jobs' ) );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'changes' => array() ) ) );
		$this->actions()->process( 'reconcile', $this->request_for( 'reconcile' ) );
		$this->assertStringEndsWith( '/v1/jobs/' . self::JOB . '/reconcile', $this->last_request()['url'] );
	}

	public function test_retry_can_give_the_work_away(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'status' => 'pending', 'credits_estimate' => 4 ) ) );
		$this->actions()->process( 'retry', $this->request_for( 'retry', array( 'allow_unpaid' => '1' ) ) );
		$this->assertSame( array( 'force' => false, 'allow_unpaid' => true ), $this->body_of( $this->last_request() ) );
	}

	public function test_retry_posts_and_redirects_back_with_a_notice(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'status' => 'pending', 'credits_estimate' => 4, 'message' => 'Queued for upscaling.' ) ) );
		$referer = admin_url( 'admin.php?page=smi-jobs&status=failed' );
		$url     = $this->actions()->process( 'retry', $this->request_for( 'retry', array( 'force' => '1', '_wp_http_referer' => $referer ) ) );

		$req = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/jobs/' . self::JOB . '/retry', $req['url'] );
		$this->assertSame( array( 'force' => true, 'allow_unpaid' => false ), $this->body_of( $req ) );
		$this->assertSame( $referer, $url );
		$notices = SMI_Notices::pull();
		$this->assertSame( 'success', $notices[0]['type'] );
		$this->assertStringContainsString( 'Queued for upscaling.', $notices[0]['message'] );
		$this->assertSame( array(), SMI_Notices::pull(), 'a notice is shown once' );
	}

	public function test_foreign_referer_is_not_followed(): void {
		$this->login( 'administrator' );
		$url = $this->actions()->process( 'email', $this->request_for( 'email', array( '_wp_http_referer' => 'https://evil.example/wp-admin/admin.php?page=smi-jobs' ) ) );
		$this->assertSame( SMI_Admin_Jobs_Page::job_url( self::JOB ), $url );
	}

	public function test_daemon_error_becomes_an_error_notice(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 409, array( 'error' => array( 'code' => 'conflict', 'message' => 'job is processing' ) ) ) );
		$this->actions()->process( 'retry', $this->request_for( 'retry' ) );
		$notices = SMI_Notices::pull();
		$this->assertSame( 'error', $notices[0]['type'] );
		$this->assertStringContainsString( 'job is processing', $notices[0]['message'] );
	}

	public function test_refund_converts_decimal_exactly_and_sends_idempotency_key(): void {
		$this->login( 'administrator' );
		$key = wp_generate_uuid4();
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'refund' => array( 'amount' => 29, 'currency' => 'usd', 'status' => 'succeeded' ), 'payment_status' => 'partially_refunded', 'refund_total' => 29, 'remaining' => 1270 ) ) );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'amount' => '0.29', 'currency' => 'usd', 'reason' => 'Customer asked', 'idempotency_key' => $key, 'notify_customer' => '1' ) ) );

		$req = $this->last_request();
		$this->assertStringEndsWith( '/refunds', $req['url'] );
		$this->assertSame( array( 'reason' => 'Customer asked', 'amount' => 29, 'notify_customer' => true ), $this->body_of( $req ) );
		$this->assertSame( $key, $req['args']['headers']['Idempotency-Key'] );
		$this->assertStringContainsString( '$0.29', SMI_Notices::pull()[0]['message'] );
	}

	public function test_refund_without_amount_refunds_the_rest(): void {
		$this->login( 'administrator' );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'amount' => '', 'reason' => 'dup', 'idempotency_key' => wp_generate_uuid4() ) ) );
		// The "Notify the customer" box left unticked: the customer is not emailed.
		$this->assertSame( array( 'reason' => 'dup', 'notify_customer' => false ), $this->body_of( $this->last_request() ) );
	}

	public function test_refund_refuses_missing_reason_bad_amount_and_missing_key(): void {
		$this->login( 'administrator' );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'amount' => '5', 'reason' => '  ', 'idempotency_key' => wp_generate_uuid4() ) ) );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'amount' => '5.555', 'reason' => 'x', 'idempotency_key' => wp_generate_uuid4() ) ) );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'amount' => '5', 'reason' => 'x' ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$notices = SMI_Notices::pull();
		$this->assertCount( 3, $notices );
		$this->assertSame( array( 'error', 'error', 'error' ), array_column( $notices, 'type' ) );
	}

	public function test_status_override_needs_a_known_status_and_a_reason(): void {
		$this->login( 'administrator' );
		$this->actions()->process( 'status', $this->request_for( 'status', array( 'status' => 'deleted', 'reason' => 'x' ) ) );
		$this->actions()->process( 'status', $this->request_for( 'status', array( 'status' => 'failed', 'reason' => '' ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'from' => 'processing', 'to' => 'failed' ) ) );
		SMI_Notices::pull();
		$this->actions()->process( 'status', $this->request_for( 'status', array( 'status' => 'failed', 'reason' => 'stuck at Upsampler' ) ) );
		$this->assertSame( array( 'status' => 'failed', 'reason' => 'stuck at Upsampler' ), $this->body_of( $this->last_request() ) );
		$this->assertStringContainsString( 'from Processing to Failed', SMI_Notices::pull()[0]['message'] );
	}

	public function test_new_link_is_passed_by_key_and_shown_once(): void {
		$this->login( 'administrator' );
		$link = 'http://127.0.0.1/smi-download/' . str_repeat( 'f', 64 );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'download_url' => $link, 'expires_at' => '2026-12-03T10:00:00Z', 'email_sent' => true ) ) );
		$url = $this->actions()->process( 'token', $this->request_for( 'token', array( 'send_email' => '1' ) ) );

		$this->assertSame( array( 'send_email' => true ), $this->body_of( $this->last_request() ) );
		$this->assertStringNotContainsString( str_repeat( 'f', 64 ), $url, 'the link itself never goes in the URL' );
		parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $query );
		$this->assertMatchesRegularExpression( '/^[A-Za-z0-9]{20}$/', $query['smi_link'] );

		ob_start();
		SMI_Admin_Jobs_Page::render_one_time_link( $query );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'id="smi-new-download-link"', $html );
		$this->assertStringContainsString( esc_attr( $link ), $html );
		$this->assertNull( SMI_Job_Actions::take_one_time_link( $query['smi_link'] ), 'shown once' );
	}

	public function test_one_time_link_belongs_to_its_user(): void {
		$this->login( 'administrator' );
		$key = SMI_Job_Actions::store_one_time_link( 'http://x/smi-download/abc', '' );
		$this->login( 'administrator' );
		$this->assertNull( SMI_Job_Actions::take_one_time_link( $key ) );
	}

	/* ---- Bulk ---- */

	/**
	 * A bulk request from the Jobs list (filtered by status, with the bulk
	 * nonce), also set as $_REQUEST.
	 *
	 * @param array $extra Fields to add or replace.
	 */
	private function bulk_request( array $extra ): array {
		$req      = array_merge( array( 'page' => 'smi-jobs', 'status' => 'failed', SMI_Jobs_Query::APPLY => 'Apply', '_wpnonce' => wp_create_nonce( 'bulk-smi_jobs' ) ), $extra );
		$_REQUEST = $req;
		return $req;
	}

	public function test_bulk_subscriber_is_refused(): void {
		$this->login( 'subscriber' );
		$this->expect_die( fn() => $this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'retry', 'job_ids' => array( self::JOB ) ) ) ), 403 );
	}

	public function test_bulk_bad_nonce_is_refused(): void {
		$this->login( 'administrator' );
		$req = $this->bulk_request( array( 'action' => 'retry', 'job_ids' => array( self::JOB ) ) );

		$_REQUEST['_wpnonce'] = 'nope';
		$this->expect_die( fn() => $this->actions()->process_bulk( $req ), 403 );
	}

	public function test_bulk_sends_the_selected_ids_and_reports_results(): void {
		$this->login( 'administrator' );
		$other = '11111111-1111-4111-8111-111111111111';
		$this->respond(
			fn() => $this->json(
				200,
				array(
					'results' => array(
						array( 'job_id' => self::JOB, 'result' => 'ok', 'error' => null ),
						array( 'job_id' => $other, 'result' => 'error', 'error' => array( 'code' => 'conflict', 'message' => 'not refundable <now>' ) ),
					),
					'ok'      => 1,
					'failed'  => 1,
				)
			)
		);
		$url = $this->actions()->process_bulk( $this->bulk_request( array( 'action' => '-1', 'action2' => 'refund', 'smi_bulk_reason' => 'Batch refund', 'job_ids' => array( self::JOB, $other, 'not-a-uuid', self::JOB ) ) ) );

		$req = $this->last_request();
		$this->assertStringEndsWith( '/v1/jobs/batch', $req['url'] );
		$this->assertSame( array( 'action' => 'refund', 'job_ids' => array( self::JOB, $other ), 'params' => array( 'reason' => 'Batch refund' ) ), $this->body_of( $req ) );
		$this->assertSame( SMI_Admin_Jobs_Page::list_url( array( 'status' => 'failed' ) ), $url, 'back to the same filtered view' );
		$notice = SMI_Notices::pull()[0];
		$this->assertSame( 'warning', $notice['type'] );
		$this->assertStringContainsString( 'not refundable &lt;now&gt;', $notice['message'] );
	}

	public function test_bulk_regenerate_and_email_maps_to_regenerate_token(): void {
		$this->login( 'administrator' );
		$this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'regenerate_token_email', 'job_ids' => array( self::JOB ) ) ) );
		$this->assertSame( array( 'action' => 'regenerate_token', 'job_ids' => array( self::JOB ), 'params' => array( 'send_email' => true ) ), $this->body_of( $this->last_request() ) );
	}

	public function test_bulk_refund_and_set_status_need_their_parameters(): void {
		$this->login( 'administrator' );
		$this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'refund', 'job_ids' => array( self::JOB ) ) ) );
		$this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'set_status', 'smi_bulk_reason' => 'x', 'smi_bulk_status' => 'bogus', 'job_ids' => array( self::JOB ) ) ) );
		$this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'retry', 'job_ids' => array() ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$this->assertCount( 3, SMI_Notices::pull() );
	}

	public function test_apply_to_all_sends_the_filter_and_shows_the_batch(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 202, array( 'batch_id' => 'b_42' ) ) );
		$url = $this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'set_status', 'smi_bulk_status' => 'failed', 'smi_bulk_reason' => 'cleanup', 'smi_apply_all' => '1', 'created_from' => '2026-11-01', 's' => '@x.com' ) ) );

		$this->assertSame(
			array(
				'action'      => 'set_status',
				'filter'      => array( 'status' => 'failed', 'created_from' => '2026-11-01T00:00:00+00:00', 'q' => '@x.com' ),
				'params'      => array( 'reason' => 'cleanup', 'status' => 'failed' ),
				'confirm_all' => true,
			),
			$this->body_of( $this->last_request() )
		);
		$this->assertStringContainsString( 'smi_batch=b_42', $url );
	}

	/* ---- Export ---- */

	/**
	 * The export refuses a subscriber, and an administrator with a bad nonce.
	 */
	public function test_export_refuses_subscriber_and_bad_nonce(): void {
		$export = new SMI_Export( new SMI_Passthrough( $this->client() ) );
		$this->login( 'subscriber' );
		$this->expect_die( fn() => $export->export( array( '_wpnonce' => wp_create_nonce( 'smi_export' ) ) ), 403 );
		$this->login( 'administrator' );
		$this->expect_die( fn() => $export->export( array( '_wpnonce' => 'bad' ) ), 403 );
	}

	public function test_export_streams_the_daemon_csv_with_the_filter(): void {
		$this->login( 'administrator' );
		$relay  = new SMI_Test_Relay( $this->fake_daemon_client() );
		$export = new SMI_Export( $relay );
		ob_start();
		$export->export( array( '_wpnonce' => wp_create_nonce( 'smi_export' ), 'status' => 'failed', 'orderby' => 'email', 'order' => 'asc' ) );
		$csv = (string) ob_get_clean();
		$this->assertSame( 200, $relay->status );
		$this->assertStringStartsWith( "job_id,status,email\n# query: status=failed&orderby=email&order=asc&header=labels&bom=1\n", $csv );
		$this->assertStringStartsWith( 'Content-Type: text/csv', $relay->headers[0] );
		$this->assertMatchesRegularExpression( '/^Content-Disposition: attachment; filename="smi-jobs-\d{4}-\d{2}-\d{2}\.csv"$/', implode( "\n", array_filter( $relay->headers, fn( $h ) => 0 === strpos( $h, 'Content-Disposition' ) ) ) );
		$this->assertGreaterThan( 1, $relay->writes, 'written in chunks, not one buffered string' );
	}

	public function test_ajax_status_refuses_bad_nonce_and_subscribers(): void {
		$ajax = new SMI_Admin_Ajax( $this->client() );
		$this->login( 'administrator' );
		$_REQUEST = array( 'nonce' => 'bad' );
		$out      = $this->ajax( fn() => $ajax->job_statuses() );
		$this->assertFalse( $out['success'] );
		$this->login( 'subscriber' );
		$_REQUEST = array( 'nonce' => wp_create_nonce( SMI_Admin_Ajax::NONCE ) );
		$out      = $this->ajax( fn() => $ajax->job_statuses() );
		$this->assertFalse( $out['success'] );
		$this->assertEmpty( $this->actions_sent() );
	}

	public function test_ajax_refreshes_every_visible_row_in_one_daemon_call(): void {
		$ajax  = new SMI_Admin_Ajax( $this->client() );
		$other = '11111111-1111-4111-8111-111111111111';
		$this->login( 'administrator' );
		$this->serve(
			array(
				'/v1/jobs' => $this->json(
					200,
					array(
						'jobs'  => array(
							$this->job( array( 'job_id' => self::JOB, 'status' => 'failed', 'last_error' => 'boom <b>', 'attention' => array( 'failed' ) ) ),
							$this->job( array( 'job_id' => $other, 'status' => 'completed' ) ),
						),
						'total' => 2,
					)
				),
			)
		);
		$_REQUEST = array( 'nonce' => wp_create_nonce( SMI_Admin_Ajax::NONCE ) );
		$_POST    = array( 'job_ids' => array( self::JOB, 'junk', $other ) );
		$out      = $this->ajax( fn() => $ajax->job_statuses() );
		$this->assertTrue( $out['success'] );
		$this->assertCount( 1, $this->requests, 'one daemon call for every row' );
		$this->assertSame( self::JOB . ',' . $other, $this->query_of( $this->last_request() )['ids'] );
		$job = $out['data']['jobs'][ self::JOB ];
		$this->assertSame( 'failed', $job['status'] );
		$this->assertStringContainsString( 'smi-status-failed', $job['status_html'] );
		$this->assertStringContainsString( 'boom &lt;b&gt;', $job['status_html'] );
		$this->assertStringContainsString( 'smi-attention-failed', $job['status_html'] );
		$this->assertSame( 'completed', $out['data']['jobs'][ $other ]['status'] );
		$this->assertNotSame( $job['state'], $out['data']['jobs'][ $other ]['state'] );
	}

	public function test_ajax_cancels_a_batch_behind_nonce_and_capability(): void {
		$ajax = new SMI_Admin_Ajax( $this->client() );
		$this->serve( array( '/v1/batches/b_42/cancel' => $this->json( 200, array( 'batch_id' => 'b_42', 'state' => 'cancelled' ) ) ) );
		$this->login( 'subscriber' );
		$_REQUEST = array( 'nonce' => wp_create_nonce( SMI_Admin_Ajax::NONCE ) );
		$_POST    = array( 'batch_id' => 'b_42' );
		$this->assertFalse( $this->ajax( fn() => $ajax->batch_cancel() )['success'] );
		$this->assertEmpty( $this->requests );

		$this->login( 'administrator' );
		$_REQUEST = array( 'nonce' => wp_create_nonce( SMI_Admin_Ajax::NONCE ) );
		$out      = $this->ajax( fn() => $ajax->batch_cancel() );
		$this->assertTrue( $out['success'] );
		$this->assertSame( 'cancelled', $out['data']['state'] );
		$this->assertSame( 'POST', $this->last_request()['args']['method'] );
		$this->assertStringEndsWith( '/v1/batches/b_42/cancel', $this->last_request()['url'] );
	}

	/* ---- Limits, expiry, notes ---- */

	/**
	 * The limits are the daemon's: too long a reason, key or note is not sent.
	 */
	public function test_limits_are_the_daemons(): void {
		$this->login( 'administrator' );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'reason' => str_repeat( 'é', 1001 ), 'idempotency_key' => wp_generate_uuid4() ) ) );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'reason' => 'x', 'idempotency_key' => str_repeat( 'k', 201 ) ) ) );
		$this->actions()->process( 'note', $this->request_for( 'note', array( 'note' => str_repeat( 'n', 1001 ) ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$notices = SMI_Notices::pull();
		$this->assertStringContainsString( 'longer than 1000 characters', $notices[0]['message'] );
		$this->assertCount( 3, $notices );

		// At the limits, the requests go through.
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'refund' => array( 'amount' => 1, 'currency' => 'usd', 'status' => 'succeeded' ), 'remaining' => 0 ) ) );
		$this->actions()->process( 'refund', $this->request_for( 'refund', array( 'reason' => str_repeat( 'é', 1000 ), 'idempotency_key' => str_repeat( 'k', 200 ) ) ) );
		$this->assertCount( 1, $this->actions_sent() );
		$this->assertSame( str_repeat( 'k', 200 ), $this->last_request()['args']['headers']['Idempotency-Key'] );
	}

	public function test_limits_follow_what_the_daemon_publishes(): void {
		$answer                         = self::system_answer();
		$answer['limits']['reason_max'] = 10;
		$this->serve( array( '/v1/system' => $this->json( 200, $answer ) ) );
		$this->login( 'administrator' );
		$this->actions()->process( 'status', $this->request_for( 'status', array( 'status' => 'failed', 'reason' => 'eleven char' ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$this->assertStringContainsString( 'longer than 10 characters', SMI_Notices::pull()[0]['message'] );
	}

	public function test_regenerate_sends_the_chosen_lifetime(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'download_url' => 'http://x/smi-download/abc', 'expires_at' => '2026-12-10T10:00:00Z' ) ) );
		$this->actions()->process( 'token', $this->request_for( 'token', array( 'expires_in_hours' => '168' ) ) );
		$this->assertSame( array( 'send_email' => false, 'expires_in_hours' => 168 ), $this->body_of( $this->last_request() ) );
		$this->actions()->process( 'token', $this->request_for( 'token', array( 'expires_in_hours' => '5' ) ) );
		$this->assertSame( array( 'send_email' => false ), $this->body_of( $this->last_request() ), 'a lifetime not offered is not sent' );
	}

	public function test_note_is_posted_to_the_timeline(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 201, array( 'job_id' => self::JOB ) ) );
		$url = $this->actions()->process( 'note', $this->request_for( 'note', array( 'note' => "  Called the customer.\nSent a voucher. <b>x</b> " ) ) );
		$req = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/jobs/' . self::JOB . '/notes', $req['url'] );
		$this->assertSame( array( 'note' => "Called the customer.\nSent a voucher. x" ), $this->body_of( $req ) );
		$this->assertSame( SMI_Admin_Jobs_Page::job_url( self::JOB ), $url );
		$this->assertSame( 'success', SMI_Notices::pull()[0]['type'] );

		$this->actions()->process( 'note', $this->request_for( 'note', array( 'note' => '   ' ) ) );
		$this->assertCount( 1, $this->actions_sent(), 'an empty note is not sent' );
	}

	public function test_bulk_refuses_more_jobs_than_the_daemon_takes(): void {
		$answer                        = self::system_answer();
		$answer['limits']['batch_max'] = 2;
		$this->serve( array( '/v1/system' => $this->json( 200, $answer ) ) );
		$this->login( 'administrator' );
		$ids = array( self::JOB, '11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222' );
		$this->actions()->process_bulk( $this->bulk_request( array( 'action' => 'reconcile', 'job_ids' => $ids ) ) );
		$this->assertEmpty( $this->actions_sent() );
		$this->assertStringContainsString( 'at most 2 jobs', SMI_Notices::pull()[0]['message'] );
	}
}

/**
 * A relay that records instead of sending headers.
 */
class SMI_Test_Relay extends SMI_Passthrough {
	public int $status    = 0;
	public array $headers = array();
	public int $writes    = 0;

	protected function begin_output(): void {}

	protected function send_status( int $status ): void {
		$this->status = $status;
	}

	protected function send_header( string $line ): void {
		$this->headers[] = $line;
	}

	protected function write( string $chunk ): void {
		++$this->writes;
		echo $chunk; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the CSV as the daemon sent it.
	}
}
