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
		$this->assertSame( array( 'smi-jobs', 'smi-settings' ), $slugs );
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
}
