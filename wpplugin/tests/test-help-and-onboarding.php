<?php
/**
 * SMI_Help (help tabs) and SMI_Onboarding (Settings link, activation notice).
 *
 * @package SellMyImages
 */

class Test_SMI_Help_And_Onboarding extends SMI_Test_Case {

	protected function tearDown(): void {
		unset( $GLOBALS['current_screen'] );
		parent::tearDown();
		$_REQUEST = array();
	}

	/**
	 * Builds the admin menu as an administrator and loads a screen the way
	 * wp-admin/admin.php does; returns the screen.
	 *
	 * @param string $page   Page slug.
	 * @param string $parent Parent menu slug.
	 * @param array  $get    Query arguments.
	 */
	private function load_screen( string $page, string $parent, array $get = array() ): WP_Screen {
		global $menu, $submenu;
		$menu    = array();
		$submenu = array();
		$this->login( 'administrator' );
		$this->respond( fn() => $this->json( 200, array( 'jobs' => array(), 'total' => 0, 'by_status' => array() ) ) );
		do_action( 'admin_menu' );
		$hook = get_plugin_page_hookname( $page, $parent );
		$_GET = $get;
		set_current_screen( $hook );
		get_current_screen()->remove_help_tabs(); // WP_Screen keeps screens for the whole process.
		do_action( 'load-' . $hook );
		return get_current_screen();
	}

	public function test_jobs_list_has_help_tabs_and_a_sidebar(): void {
		$screen = $this->load_screen( 'smi-jobs', '' );
		$this->assertSame( 'toplevel_page_smi-jobs', $screen->id );
		$this->assertSame( array( 'smi-help-overview', 'smi-help-statuses', 'smi-help-actions' ), array_keys( $screen->get_help_tabs() ) );
		$this->assertStringContainsString( 'wp smi jobs', $screen->get_help_tab( 'smi-help-actions' )['content'] );
		$this->assertStringContainsString( 'page=smi-settings', $screen->get_help_sidebar() );
		$this->assertStringContainsString( 'site-health.php', $screen->get_help_sidebar() );
	}

	public function test_job_details_have_their_own_help(): void {
		$screen = $this->load_screen( 'smi-jobs', '', array( 'job' => '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc' ) );
		$this->assertSame( array( 'smi-help-details', 'smi-help-interventions' ), array_keys( $screen->get_help_tabs() ) );
	}

	public function test_settings_have_help_tabs(): void {
		$screen = $this->load_screen( 'smi-settings', 'smi-jobs' );
		$this->assertSame( array( 'smi-help-connection', 'smi-help-buttons', 'smi-help-proxies' ), array_keys( $screen->get_help_tabs() ) );
		$this->assertStringContainsString( 'api.secret', $screen->get_help_tab( 'smi-help-connection' )['content'] );
		$this->assertNotSame( '', $screen->get_help_sidebar() );
	}

	public function test_other_screens_get_no_help_from_us(): void {
		$screen = $this->load_screen( 'smi-jobs', '' );
		set_current_screen( 'edit-post' );
		do_action( 'load-edit.php' );
		$this->assertSame( array(), array_filter( array_keys( get_current_screen()->get_help_tabs() ), fn( $id ) => 0 === strpos( $id, 'smi-' ) ) );
	}

	public function test_plugins_screen_has_a_settings_link_for_administrators(): void {
		$filter = 'plugin_action_links_' . plugin_basename( SMI_PLUGIN_FILE );
		$this->login( 'administrator' );
		$links = apply_filters( $filter, array( 'deactivate' => '<a href="#">Deactivate</a>' ) );
		$this->assertSame( array( 'settings', 'deactivate' ), array_keys( $links ) );
		$this->assertStringContainsString( admin_url( 'admin.php?page=smi-settings' ), $links['settings'] );
		$this->login( 'editor' );
		$this->assertSame( array( 'deactivate' ), array_keys( apply_filters( $filter, array( 'deactivate' => 'x' ) ) ) );
	}

	private function notice_html(): string {
		set_current_screen( 'dashboard' );
		ob_start();
		( new SMI_Onboarding() )->activation_notice();
		return (string) ob_get_clean();
	}

	public function test_activation_notice_points_to_settings_until_the_user_dismisses_it(): void {
		delete_option( SMI_Onboarding::OPTION );
		$this->login( 'administrator' );
		$this->assertSame( '', $this->notice_html(), 'not before activation' );

		SMI_Plugin::activate();
		$html = $this->notice_html();
		$this->assertStringContainsString( 'id="smi-activation-notice"', $html );
		$this->assertStringContainsString( 'page=smi-settings', $html );

		preg_match( '/_wpnonce=([0-9a-f]+)/', $html, $m );
		$_REQUEST['_wpnonce'] = $m[1];
		( new SMI_Onboarding() )->dismiss();
		$this->assertSame( '', $this->notice_html(), 'dismissed for this user' );

		$this->login( 'administrator' );
		$this->assertStringContainsString( 'smi-activation-notice', $this->notice_html(), 'another administrator still sees it' );
		$this->login( 'editor' );
		$this->assertSame( '', $this->notice_html(), 'not for users who cannot open Settings' );
	}

	public function test_the_plugins_screens_print_the_notice_below_their_heading(): void {
		$this->login( 'administrator' );
		SMI_Plugin::activate();
		foreach ( array( 'toplevel_page_smi-jobs', 'sell-my-images_page_smi-reports' ) as $id ) {
			set_current_screen( $id );
			ob_start();
			( new SMI_Onboarding() )->activation_notice();
			$this->assertSame( '', (string) ob_get_clean(), "$id prints it itself, not above its .wrap where WordPress would move it" );
			ob_start();
			( new SMI_Onboarding() )->activation_notice_in_place();
			$this->assertStringContainsString( '<div class="notice notice-info inline" id="smi-activation-notice">', (string) ob_get_clean(), "$id: inline, so WordPress leaves it where it is" );
		}
		$this->assertStringContainsString( 'class="notice notice-info" id="smi-activation-notice"', $this->notice_html(), 'other screens: the usual admin notice' );
		$this->assertFalse( SMI_Onboarding::prints_in_place( 'toplevel_page_smi-jobs-other' ) );
	}

	public function test_dismissal_needs_a_nonce(): void {
		$this->login( 'administrator' );
		$_REQUEST['_wpnonce'] = 'forged';
		$this->expectException( SMI_Test_Die::class );
		( new SMI_Onboarding() )->dismiss();
	}
}
