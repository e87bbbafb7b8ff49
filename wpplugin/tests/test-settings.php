<?php
/**
 * SMI_Settings and SMI_Capabilities.
 *
 * @package SellMyImages
 */

class Test_SMI_Settings extends SMI_Test_Case {

	private function settings(): SMI_Settings {
		return new SMI_Settings( $this->client() );
	}

	public function test_empty_secret_submit_keeps_the_saved_one(): void {
		update_option( 'smi_daemon_secret', 'old-secret' );
		$this->assertSame( 'old-secret', $this->settings()->sanitize_secret( '' ) );
		$this->assertSame( 'old-secret', $this->settings()->sanitize_secret( '   ' ) );
		$this->assertSame( 'new-secret', $this->settings()->sanitize_secret( " new-secret\n" ) );
	}

	public function test_secret_is_never_echoed(): void {
		update_option( 'smi_daemon_secret', 'super-secret-value' );
		ob_start();
		$this->settings()->render_secret_field();
		$html = (string) ob_get_clean();
		$this->assertStringNotContainsString( 'super-secret-value', $html );
	}

	public function test_url_accepts_http_and_unix_and_keeps_old_value_otherwise(): void {
		update_option( 'smi_daemon_url', 'http://127.0.0.1:9000' );
		$this->assertSame( 'http://127.0.0.1:8787', $this->settings()->sanitize_url( 'http://127.0.0.1:8787/' ) );
		$this->assertSame( 'unix:///run/smid/smid.sock', $this->settings()->sanitize_url( 'unix:///run/smid/smid.sock' ) );
		$this->assertSame( 'http://127.0.0.1:9000', $this->settings()->sanitize_url( 'javascript:alert(1)' ) );
		$this->assertSame( '', $this->settings()->sanitize_url( '' ) );
	}

	public function test_a_secret_kept_in_wp_config_is_never_sent_to_a_host_an_admin_names(): void {
		foreach ( array( 'http://127.0.0.1:8787', 'http://10.0.0.5:8787', 'http://[::1]:8787', 'http://localhost:8787', 'unix:///run/smid/smid.sock' ) as $near ) {
			$this->assertFalse( SMI_Settings::would_send_the_secret_away( $near, true ), $near );
		}
		foreach ( array( 'http://8.8.8.8:8787', 'https://collector.example', 'http://[2606:4700::1111]:80' ) as $away ) {
			$this->assertTrue( SMI_Settings::would_send_the_secret_away( $away, true ), $away );
			$this->assertFalse( SMI_Settings::would_send_the_secret_away( $away, false ), $away . ': the admin typed the secret too' );
		}
		// This site keeps its secret in wp-config.php: the Settings screen
		// keeps the old URL.
		$this->assertTrue( defined( 'SMI_DAEMON_SECRET' ) );
		update_option( 'smi_daemon_url', 'http://127.0.0.1:9000' );
		$this->assertSame( 'http://127.0.0.1:9000', $this->settings()->sanitize_url( 'https://collector.example' ) );
		$this->assertSame( 'http://10.0.0.5:8787', $this->settings()->sanitize_url( 'http://10.0.0.5:8787' ) );
	}

	public function test_constants_win_and_are_shown_read_only(): void {
		ob_start();
		$this->settings()->render_url_field();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'Set by SMI_DAEMON_URL', $html );
		$this->assertStringNotContainsString( 'name="smi_daemon_url"', $html );
	}

	public function test_smi_manage_jobs_maps_to_manage_options(): void {
		$this->login( 'administrator' );
		$this->assertTrue( current_user_can( 'smi_manage_jobs' ) );
		$this->login( 'editor' );
		$this->assertFalse( current_user_can( 'smi_manage_jobs' ) );
		$this->login( 'subscriber' );
		$this->assertFalse( current_user_can( 'smi_manage_jobs' ) );
	}

	public function test_screen_option_saves_only_sane_values(): void {
		$page = new SMI_Admin_Jobs_Page( $this->client(), new SMI_Job_Actions( $this->client() ) );
		$this->assertSame( 100, $page->save_screen_option( false, 'smi_jobs_per_page', '100' ) );
		$this->assertFalse( $page->save_screen_option( false, 'smi_jobs_per_page', '5000' ) );
		$this->assertSame( 'keep', $page->save_screen_option( 'keep', 'edit_per_page', '10' ) );
		$this->assertSame( 50, apply_filters( 'set_screen_option_smi_jobs_per_page', false, 'smi_jobs_per_page', 50 ) );
	}

	public function test_menu_registers_jobs_and_settings(): void {
		global $menu, $submenu, $_wp_submenu_nopriv;
		$menu    = array();
		$submenu = array();
		$this->login( 'administrator' );
		do_action( 'admin_menu' );
		$this->assertSame( 'smi-jobs', $menu[ array_key_first( array_filter( $menu, fn( $m ) => 'smi-jobs' === $m[2] ) ) ][2] );
		$slugs = array_column( $submenu['smi-jobs'], 2 );
		$this->assertSame( array( 'smi-jobs', 'smi-reports', 'smi-settings' ), $slugs );
		$this->assertSame( 'Jobs', $submenu['smi-jobs'][0][0] );
		$this->assertSame( 'smi_manage_jobs', $submenu['smi-jobs'][0][1] );
		$this->assertTrue( (bool) has_action( 'load-toplevel_page_smi-jobs' ) );
	}

	public function test_trusted_proxies_keep_valid_ranges_and_name_the_dropped_ones(): void {
		global $wp_settings_errors;
		$wp_settings_errors = array();
		$saved              = $this->settings()->sanitize_proxies( "10.0.0.0/8\r\n<script>x</script>, 192.0.2.1 2001:db8::/129" );
		$this->assertSame( "10.0.0.0/8\n192.0.2.1", $saved );
		$errors = get_settings_errors( SMI_Client_IP::OPTION );
		$this->assertCount( 1, $errors );
		$this->assertStringContainsString( '2001:db8::/129', $errors[0]['message'] );
		$this->assertStringNotContainsString( '<script>', $errors[0]['message'] );
	}

	public function test_trusted_proxies_field_escapes_the_saved_value(): void {
		update_option( SMI_Client_IP::OPTION, "10.0.0.0/8\n</textarea><script>alert(1)</script>" );
		ob_start();
		$this->settings()->render_proxies_field();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'name="smi_trusted_proxies"', $html );
		$this->assertStringNotContainsString( '<script>', $html );
	}

	/**
	 * Answers /v1/system with notify.* defaults and records everything else.
	 *
	 * @param array $defaults notify_defaults.
	 */
	private function daemon_with_defaults( array $defaults ): void {
		SMI_Daemon_System::flush();
		$this->respond(
			function ( $url ) use ( $defaults ) {
				if ( '/v1/system' === wp_parse_url( $url, PHP_URL_PATH ) ) {
					return $this->json( 200, array( 'notify_defaults' => $defaults ) );
				}
				return $this->json( 200, array( 'sent' => true, 'to' => 'owner@example.com' ) );
			}
		);
	}

	private function notify_boxes(): array {
		ob_start();
		$this->settings()->render_notify_field();
		$html  = (string) ob_get_clean();
		$boxes = array();
		foreach ( SMI_Settings::NOTIFY_KINDS as $kind ) {
			$this->assertSame( 1, preg_match( '/<input type="checkbox" id="smi-notify-' . $kind . '"[^>]*>/', $html, $m ), "no box for $kind" );
			$boxes[ $kind ] = str_contains( $m[0], "checked='checked'" );
		}
		return $boxes;
	}

	public function test_notify_boxes_follow_the_daemon_until_saved_here(): void {
		$this->daemon_with_defaults( array( 'sale' => false, 'failed' => true, 'dispute' => true, 'stuck' => false ) );
		$this->assertSame( array( 'sale' => false, 'failed' => true, 'dispute' => true, 'stuck' => false ), $this->notify_boxes() );

		// WordPress's options.php saves an unticked box as null and a ticked one as "1".
		$this->settings()->register_settings();
		update_option( 'smi_notify_failed', null );
		update_option( 'smi_notify_sale', '1' );
		global $wpdb;
		$rows = $wpdb->get_results( "SELECT option_name, option_value FROM {$wpdb->options} WHERE option_name LIKE 'smi\\_notify\\_%'", OBJECT_K );
		$this->assertSame( '', $rows['smi_notify_failed']->option_value ?? null, 'an unticked box must be stored as off, for the daemon to read' );
		$this->assertSame( '1', $rows['smi_notify_sale']->option_value ?? null );
		$this->assertArrayNotHasKey( 'smi_notify_stuck', $rows, 'a switch never saved stays unset' );
		$this->assertSame( array( 'sale' => true, 'failed' => false, 'dispute' => true, 'stuck' => false ), $this->notify_boxes() );
	}

	public function test_test_email_needs_the_capability_and_the_nonce(): void {
		$this->daemon_with_defaults( array() );
		$this->login( 'editor' );
		try {
			$this->settings()->send_test_email( array( '_wpnonce' => wp_create_nonce( SMI_Settings::TEST_EMAIL_ACTION ) ) );
			$this->fail( 'an editor sent a test email' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->login( 'administrator' );
		try {
			$this->settings()->send_test_email( array( '_wpnonce' => 'deadbeef00' ) );
			$this->fail( 'a forged form sent a test email' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertEmpty( $this->requests, 'nothing may reach the daemon' );
	}

	public function test_test_email_asks_the_daemon_and_says_what_happened(): void {
		$this->daemon_with_defaults( array() );
		$this->login( 'administrator' );
		$nonce = wp_create_nonce( SMI_Settings::TEST_EMAIL_ACTION );
		$this->settings()->send_test_email( array( '_wpnonce' => $nonce, 'smi_test_to' => ' owner@example.com ' ) );
		$req = $this->last_request();
		$this->assertSame( '/v1/mail/test', wp_parse_url( $req['url'], PHP_URL_PATH ) );
		$this->assertSame( 'POST', $req['args']['method'] );
		$this->assertSame( array( 'to' => 'owner@example.com' ), $this->body_of( $req ) );
		$notices = SMI_Notices::pull();
		$this->assertSame( 'success', $notices[0]['type'] );
		$this->assertStringContainsString( 'owner@example.com', $notices[0]['message'] );

		$this->respond( fn() => $this->json( 502, array( 'error' => array( 'code' => 'bad_gateway', 'message' => 'the test email was not sent: 535 authentication failed' ) ) ) );
		$this->settings()->send_test_email( array( '_wpnonce' => $nonce, 'smi_test_to' => '' ) );
		$this->assertSame( array(), $this->body_of( $this->last_request() ), 'an empty address lets the daemon use admin_email' );
		$notices = SMI_Notices::pull();
		$this->assertSame( 'error', $notices[0]['type'] );
		$this->assertStringContainsString( '535 authentication failed', $notices[0]['message'] );

		$count = count( $this->requests );
		$this->settings()->send_test_email( array( '_wpnonce' => $nonce, 'smi_test_to' => '<script>x</script>' ) );
		$this->assertCount( $count, $this->requests, 'a bad address never reaches the daemon' );
		$this->assertSame( 'error', SMI_Notices::pull()[0]['type'] );
	}

	public function test_uninstall_leaves_no_setting_of_the_plugin_behind(): void {
		global $wpdb;
		$this->settings()->register_settings();
		$names = array_filter( array_keys( get_registered_settings() ), fn( $name ) => 0 === strpos( $name, 'smi_' ) );
		$this->assertContains( 'smi_notify_stuck', $names );
		foreach ( $names as $name ) {
			update_option( $name, '1' );
		}
		update_option( SMI_Onboarding::OPTION, time() );
		set_transient( 'smi_cache_system', array( 'at' => time() ) );
		if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
			define( 'WP_UNINSTALL_PLUGIN', 'sell-my-images/sell-my-images.php' );
		}
		include dirname( __DIR__ ) . '/uninstall.php';
		$left = $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'smi\\_%' OR option_name LIKE '_transient_smi\\_cache%'" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- what is stored, not what a cache says.
		$this->assertSame( array(), $left );
	}
}
