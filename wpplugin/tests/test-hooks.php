<?php
/**
 * SMI_Hooks: smi_payment_completed is forwarded to the daemon.
 *
 * @package SellMyImages
 */

class Test_SMI_Hooks extends SMI_Test_Case {

	const JOB = '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc';

	public function test_action_is_hooked_with_two_arguments(): void {
		global $wp_filter;
		$this->assertArrayHasKey( 'smi_payment_completed', $wp_filter );
		$callbacks = $wp_filter['smi_payment_completed']->callbacks[10];
		$this->assertSame( 2, reset( $callbacks )['accepted_args'] );
	}

	public function test_do_action_forwards_job_and_context(): void {
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 200, array( 'job_id' => self::JOB, 'status' => 'pending', 'queued' => true, 'message' => 'queued' ) ) );
		do_action( 'smi_payment_completed', self::JOB, array( 'admin_override' => true ) );

		$req = $this->last_request();
		$this->assertSame( SMI_DAEMON_URL . '/v1/hooks/payment-completed', $req['url'] );
		$this->assertSame( 'POST', $req['args']['method'] );
		$this->assertSame( array( 'job_id' => self::JOB, 'context' => array( 'admin_override' => true ) ), $this->body_of( $req ) );
	}

	public function test_an_override_without_a_job_manager_behind_it_is_not_passed_on(): void {
		$log = tempnam( sys_get_temp_dir(), 'smi-log' );
		$old = ini_set( 'error_log', $log );
		foreach ( array( 0, $this->login( 'editor' )->ID ) as $user ) {
			wp_set_current_user( $user );
			do_action( 'smi_payment_completed', self::JOB, array( 'admin_override' => true ) );
			$this->assertSame( array( 'job_id' => self::JOB, 'context' => array( 'admin_override' => false ) ), $this->body_of( $this->last_request() ), "user $user" );
		}
		ini_set( 'error_log', (string) $old );
		$logged = (string) file_get_contents( $log );
		unlink( $log );
		$this->assertSame( 2, substr_count( $logged, 'admin_override ignored' ) );
	}

	public function test_missing_context_means_no_override(): void {
		do_action( 'smi_payment_completed', self::JOB );
		$this->assertSame( array( 'job_id' => self::JOB, 'context' => array( 'admin_override' => false ) ), $this->body_of( $this->last_request() ) );
	}

	public function test_failure_is_logged_not_thrown(): void {
		$this->respond( fn() => $this->json( 409, array( 'error' => array( 'code' => 'conflict', 'message' => 'already completed' ) ) ) );
		$log = tempnam( sys_get_temp_dir(), 'smi-log' );
		$old = ini_set( 'error_log', $log );
		do_action( 'smi_payment_completed', self::JOB, array( 'admin_override' => false ) );
		do_action( 'smi_payment_completed', 'not-a-uuid', array() );
		ini_set( 'error_log', (string) $old );
		$logged = (string) file_get_contents( $log );
		unlink( $log );
		$this->assertStringContainsString( 'already completed', $logged );
		$this->assertStringContainsString( 'not a job UUID', $logged );
		$this->assertCount( 1, $this->requests, 'an invalid id is not forwarded' );
	}
}
